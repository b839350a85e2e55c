package dev.tugboat.control.apiserver.resources;

import tools.jackson.databind.node.ObjectNode;

/** A strategy whose objects may outlive their delete call: pods (grace period), namespaces (content finalization). */
public interface GracefulDeletion {

  /** Seconds the object should remain before it is removed; null or 0 for none. */
  Long gracePeriod(ObjectNode current, DeleteOptions options);

  /** Whether the object stays, marked, even without a grace period (a namespace awaiting its finalizers). */
  default boolean keepsAfterGrace(ObjectNode current) {
    return false;
  }

  /** Further changes to an object being marked for deletion (a namespace turns Terminating). */
  default void onMarkedForDeletion(ObjectNode object) {}
}
