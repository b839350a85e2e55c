package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.Op;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reserves shared numbers (cluster IPs, node ports) for an object, as store keys written in the same transaction as
 * the object, so a reservation exists exactly when its object does.
 */
public interface Allocator {

  /** What a write must check and do besides writing the object. */
  record Reservation(List<Compare> compares, List<Op> ops) {
    public static final Reservation NONE = new Reservation(List.of(), List.of());
  }

  /**
   * Fills in what {@code object} needs (assigning free numbers), given its previous state ({@code old}, null on
   * create), and returns the keys to create and release. Numbers the client chose that are taken or out of range
   * fail with 422.
   */
  Reservation reserve(ObjectNode object, ObjectNode old);

  /** The ops that release everything {@code old} holds, for its deletion. */
  List<Op> release(ObjectNode old);
}
