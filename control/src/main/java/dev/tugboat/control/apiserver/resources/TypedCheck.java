package dev.tugboat.control.apiserver.resources;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks that each field of an object has the JSON type its typed (fabric8) form gives it, so a field of the wrong
 * JSON type is a 400 naming the field, as Kubernetes' decoder answers, instead of something stored that no client can
 * read back. The check walks the decoded tree against each kind's {@link FieldShape}, read once off the fabric8 class.
 */
final class TypedCheck {

  private static final Map<String, Class<?>> TYPES = Map.ofEntries(
      Map.entry("Pod", Pod.class), Map.entry("Namespace", Namespace.class), Map.entry("Node", Node.class),
      Map.entry("Service", Service.class), Map.entry("Endpoints", Endpoints.class),
      Map.entry("ConfigMap", ConfigMap.class), Map.entry("Secret", Secret.class), Map.entry("Event", Event.class),
      Map.entry("ServiceAccount", ServiceAccount.class), Map.entry("Deployment", Deployment.class),
      Map.entry("ReplicaSet", ReplicaSet.class), Map.entry("Lease", Lease.class),
      Map.entry("EndpointSlice", EndpointSlice.class));
  private static final Map<String, FieldShape.Struct> SHAPES = new ConcurrentHashMap<>();

  private TypedCheck() {}

  /** Reads the kind's shape before the first request needs it. */
  static void warmUp(ResourceType type) {
    shape(type.kind());
  }

  static void check(ResourceType type, ObjectNode object) {
    FieldShape.Struct shape = shape(type.kind());
    if (shape == null) {
      return;
    }
    FieldShape.Mismatch mismatch = FieldShape.check(shape, object);
    if (mismatch != null) {
      throw StatusError.badRequest(type.kind() + " in version \"" + type.info().version() + "\" cannot be handled as a "
          + type.kind() + ": " + mismatch.message());
    }
  }

  private static FieldShape.Struct shape(String kind) {
    Class<?> typed = TYPES.get(kind);
    return typed == null ? null : SHAPES.computeIfAbsent(kind, k -> FieldShape.of(typed));
  }
}
