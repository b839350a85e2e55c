package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The scale subresource ({@code autoscaling/v1 Scale}) of Deployments and ReplicaSets. */
final class Scales {

  private Scales() {}

  static ObjectNode of(ObjectNode workload) {
    ObjectNode scale = Codec.NODES.objectNode();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode metadata = scale.putObject("metadata");
    for (String field : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      JsonNode value = workload.path("metadata").get(field);
      if (value != null) {
        metadata.set(field, value.deepCopy());
      }
    }
    scale.putObject("spec").put("replicas", workload.path("spec").path("replicas").asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", workload.path("status").path("replicas").asInt(0));
    JsonNode selector = workload.path("spec").path("selector");
    if (selector.isObject()) {
      status.put("selector", LabelSelector.fromObject(selector).toString());
    }
    return scale;
  }

  /**
   * Sets the workload's replicas from {@code scale}; its resourceVersion, when {@code preconditioned} and given, must
   * be current.
   */
  static ObjectNode apply(ObjectNode workload, ObjectNode scale, boolean preconditioned) {
    JsonNode replicas = scale.path("spec").path("replicas");
    if (!replicas.isIntegralNumber() || replicas.asLong() < 0) {
      throw StatusError.invalid("autoscaling", "Scale", Tree.textOr(workload, "", "metadata", "name"),
          List.of(replicas.isIntegralNumber()
              ? FieldError.invalid("spec.replicas", replicas.asLong(), "must be greater than or equal to 0")
              : FieldError.required("spec.replicas", "")));
    }
    String precondition = Tree.text(scale, "metadata", "resourceVersion");
    if (preconditioned && precondition != null && !precondition.isEmpty()) {
      Tree.metadata(workload).put("resourceVersion", precondition);
    }
    Tree.object(workload, "spec").put("replicas", replicas.asInt());
    return workload;
  }
}
