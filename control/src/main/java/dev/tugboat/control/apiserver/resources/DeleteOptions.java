package dev.tugboat.control.apiserver.resources;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A delete's options (metav1.DeleteOptions) from its body and query: grace period, preconditions on uid and
 * resourceVersion, propagation policy (Orphan and Foreground leave a finalizer for the garbage collector: Registry).
 */
public record DeleteOptions(Long gracePeriodSeconds, String preconditionUid, String preconditionResourceVersion,
                            String propagationPolicy, boolean dryRun) {

  public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null, false);

  public static DeleteOptions from(ObjectNode body, String queryGracePeriod, String queryPropagationPolicy) {
    Long grace = null;
    String uid = null;
    String resourceVersion = null;
    String propagation = queryPropagationPolicy;
    boolean dryRun = false;
    if (body != null) {
      for (JsonNode value : body.path("dryRun")) {
        if (!value.asString("").equals("All")) {
          throw StatusError.badRequest("dryRun: Unsupported value: \"" + value.asString("")
              + "\": supported values: \"All\"");
        }
        dryRun = true;
      }
      String kind = Tree.text(body, "kind");
      if (kind != null && !kind.equals("DeleteOptions")) {
        throw StatusError.badRequest("delete body must be DeleteOptions, not " + kind);
      }
      JsonNode graceNode = body.path("gracePeriodSeconds");
      if (graceNode.isNumber()) {
        grace = graceNode.asLong();
      }
      uid = Tree.text(body, "preconditions", "uid");
      resourceVersion = Tree.text(body, "preconditions", "resourceVersion");
      if (Tree.text(body, "propagationPolicy") != null) {
        propagation = Tree.text(body, "propagationPolicy");
      }
    }
    if (queryGracePeriod != null && !queryGracePeriod.isEmpty()) {
      try {
        grace = Long.parseLong(queryGracePeriod);
      } catch (NumberFormatException e) {
        throw StatusError.badRequest("gracePeriodSeconds: invalid value \"" + queryGracePeriod + "\": not an integer");
      }
    }
    if (grace != null && grace < 0) {
      grace = 0L;
    }
    if (propagation != null && !propagation.isEmpty() && !propagation.equals("Orphan")
        && !propagation.equals("Background") && !propagation.equals("Foreground")) {
      throw StatusError.badRequest("propagationPolicy: Unsupported value: \"" + propagation
          + "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
    }
    return new DeleteOptions(grace, uid, resourceVersion, propagation, dryRun);
  }

  void checkPreconditions(ResourceType type, ObjectNode current) {
    String name = Tree.name(current);
    String uid = Tree.text(current, "metadata", "uid");
    if (preconditionUid != null && !preconditionUid.isEmpty() && !preconditionUid.equals(uid)) {
      throw StatusError.conflict(type.group(), type.resource(), name, "Precondition failed: UID in precondition: "
          + preconditionUid + ", UID in object meta: " + uid);
    }
    String resourceVersion = Tree.text(current, "metadata", "resourceVersion");
    if (preconditionResourceVersion != null && !preconditionResourceVersion.isEmpty()
        && !preconditionResourceVersion.equals(resourceVersion)) {
      throw StatusError.conflict(type.group(), type.resource(), name,
          "Precondition failed: ResourceVersion in precondition: " + preconditionResourceVersion
              + ", ResourceVersion in object meta: " + resourceVersion);
    }
  }
}
