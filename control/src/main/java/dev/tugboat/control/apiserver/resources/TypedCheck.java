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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks that an object decodes as its typed (fabric8) form, so a field of the wrong JSON type is a 400 naming the
 * field, as Kubernetes' decoder answers, instead of something stored that no client can read back.
 */
final class TypedCheck {

  private static final Map<String, Class<?>> TYPES = Map.ofEntries(
      Map.entry("Pod", Pod.class), Map.entry("Namespace", Namespace.class), Map.entry("Node", Node.class),
      Map.entry("Service", Service.class), Map.entry("Endpoints", Endpoints.class),
      Map.entry("ConfigMap", ConfigMap.class), Map.entry("Secret", Secret.class), Map.entry("Event", Event.class),
      Map.entry("ServiceAccount", ServiceAccount.class), Map.entry("Deployment", Deployment.class),
      Map.entry("ReplicaSet", ReplicaSet.class), Map.entry("Lease", Lease.class),
      Map.entry("EndpointSlice", EndpointSlice.class));

  private TypedCheck() {}

  static void warmUp(ResourceType type) {
    try {
      check(type, Codec.NODES.objectNode());
    } catch (StatusError e) {
      // an empty object may not decode for every kind; loading the classes is what counts
    }
  }

  static void check(ResourceType type, ObjectNode object) {
    Class<?> typed = TYPES.get(type.kind());
    if (typed == null) {
      return;
    }
    try {
      Codec.JSON.treeToValue(object, typed);
    } catch (JacksonException e) {
      throw StatusError.badRequest(type.kind() + " in version \"" + type.info().version() + "\" cannot be handled as a "
          + type.kind() + ": " + e.getOriginalMessage() + " at " + e.getPathReference());
    }
  }
}
