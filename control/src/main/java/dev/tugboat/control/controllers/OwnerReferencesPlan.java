package dev.tugboat.control.controllers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;

/**
 * The garbage collector's decisions for one namespace, as a plain function of the objects in it: what
 * kube-controller-manager's garbage collector does with ownerReferences.
 *
 * <ul>
 *   <li>A dependent none of whose owners exists any more (gone, or replaced by another object of the same name) is
 *       deleted; one that keeps some owner loses the references to the others.</li>
 *   <li>An owner being deleted with the {@code orphan} finalizer (propagationPolicy Orphan) first has its references
 *       removed from its dependents, then the finalizer.</li>
 *   <li>An owner being deleted with the {@code foregroundDeletion} finalizer (propagationPolicy Foreground) has its
 *       dependents deleted, and its finalizer removed once none is left.</li>
 * </ul>
 */
public record OwnerReferencesPlan(List<JsonNode> deletes, List<Repoint> repoints, List<Unfinalize> unfinalizes) {

  public static final String ORPHAN = "orphan";
  public static final String FOREGROUND = "foregroundDeletion";
  private static final JsonMapper JSON = JsonMapper.shared();

  /** A dependent whose ownerReferences become {@code owners}. */
  public record Repoint(JsonNode object, ArrayNode owners) {}

  /** An owner whose {@code finalizer} is done. */
  public record Unfinalize(JsonNode object, String finalizer) {}

  /**
   * {@code objects}: everything in the namespace of the kinds in {@code listedKinds}, by uid. A reference to a kind
   * not listed is left alone: its owner cannot be looked up here, and a dependent is never deleted on a guess.
   */
  public static OwnerReferencesPlan of(Map<String, JsonNode> objects, Set<String> listedKinds) {
    List<JsonNode> deletes = new ArrayList<>();
    List<Repoint> repoints = new ArrayList<>();
    List<Unfinalize> unfinalizes = new ArrayList<>();
    for (JsonNode object : objects.values()) {
      JsonNode refs = object.path("metadata").path("ownerReferences");
      if (refs.isEmpty() || object.path("metadata").has("deletionTimestamp")) continue;
      ArrayNode solid = JSON.createArrayNode();
      boolean dangling = false;
      boolean ownerDeletingForeground = false;
      for (JsonNode ref : refs) {
        JsonNode owner = objects.get(ref.path("uid").asString(""));
        if (!listedKinds.contains(ref.path("kind").asString(""))) {
          solid.add(ref.deepCopy());
        } else if (owner == null || !sameObject(owner, ref)) {
          dangling = true;
        } else if (finalizing(owner, FOREGROUND)) {
          ownerDeletingForeground = true;
        } else if (!finalizing(owner, ORPHAN)) {
          solid.add(ref.deepCopy());
        }
        // an owner orphaning its dependents: the reference goes, the dependent stays
      }
      if (solid.isEmpty() && (dangling || ownerDeletingForeground)) {
        deletes.add(object);
      } else if (solid.size() != refs.size()) {
        repoints.add(new Repoint(object, solid));
      }
    }
    for (JsonNode owner : objects.values()) {
      for (String finalizer : List.of(ORPHAN, FOREGROUND)) {
        if (finalizing(owner, finalizer) && !hasDependents(owner, objects)) {
          unfinalizes.add(new Unfinalize(owner, finalizer));
        }
      }
    }
    return new OwnerReferencesPlan(deletes, repoints, unfinalizes);
  }

  /** The reference's object still exists (not a new object that took the name: uid, kind and name agree). */
  private static boolean sameObject(JsonNode owner, JsonNode ref) {
    return owner.path("metadata").path("name").asString("").equals(ref.path("name").asString(""))
        && owner.path("kind").asString(ref.path("kind").asString("")).equals(ref.path("kind").asString(""));
  }

  static boolean finalizing(JsonNode object, String finalizer) {
    if (!object.path("metadata").has("deletionTimestamp")) return false;
    for (JsonNode f : object.path("metadata").path("finalizers")) {
      if (f.asString("").equals(finalizer)) return true;
    }
    return false;
  }

  private static boolean hasDependents(JsonNode owner, Map<String, JsonNode> objects) {
    String uid = owner.path("metadata").path("uid").asString("");
    for (JsonNode object : objects.values()) {
      for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
        if (ref.path("uid").asString("").equals(uid)) return true;
      }
    }
    return false;
  }

  /** The finalizers of {@code object} without {@code finalizer}. */
  static ArrayNode finalizersWithout(JsonNode object, String finalizer) {
    ArrayNode left = JSON.createArrayNode();
    for (JsonNode f : object.path("metadata").path("finalizers")) {
      if (!f.asString("").equals(finalizer)) left.add(f.deepCopy());
    }
    return left;
  }
}
