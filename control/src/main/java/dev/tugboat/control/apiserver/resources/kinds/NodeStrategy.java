package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Nodes: registered by their node agent with their status (which a create may carry), taints validated. */
public final class NodeStrategy extends ResourceStrategy {

  private static final List<String> EFFECTS = List.of("NoExecute", "NoSchedule", "PreferNoSchedule");

  @Override
  public boolean hasStatus() {
    return true;
  }

  @Override
  public boolean tracksGeneration() {
    return false;
  }

  @Override
  public void prepareForCreate(ObjectNode node) {
    // a node agent registers its node with the status it observed
  }

  @Override
  public List<FieldError> validate(ObjectNode node) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode taints = node.path("spec").path("taints");
    for (int i = 0; i < taints.size(); i++) {
      JsonNode taint = taints.get(i);
      if (taint.path("key").asString("").isEmpty()) {
        errors.add(FieldError.required("spec.taints[" + i + "].key", ""));
      }
      String effect = taint.path("effect").asString("");
      if (!EFFECTS.contains(effect)) {
        errors.add(effect.isEmpty() ? FieldError.required("spec.taints[" + i + "].effect", "")
            : FieldError.notSupported("spec.taints[" + i + "].effect", effect, EFFECTS));
      }
    }
    return errors;
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode node) {
    return Map.of("spec.unschedulable", Boolean.toString(node.path("spec").path("unschedulable").asBoolean(false)));
  }

  @Override
  protected Set<String> extraFieldNames() {
    return Set.of("spec.unschedulable");
  }
}
