package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.Tree;
import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import dev.tugboat.control.apiserver.resources.selection.SelectorException;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.ObjectMetaValidation;
import dev.tugboat.control.apiserver.resources.validation.PodSpecValidation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Deployments and ReplicaSets: replicas, an immutable selector that must match the pod template's labels, the
 * template's pod defaults and validation, and (for Deployments) the rolling-update strategy defaults.
 */
public final class WorkloadStrategy extends ResourceStrategy {

  private final boolean deployment;

  private WorkloadStrategy(boolean deployment) {
    this.deployment = deployment;
  }

  public static WorkloadStrategy deployment() {
    return new WorkloadStrategy(true);
  }

  public static WorkloadStrategy replicaSet() {
    return new WorkloadStrategy(false);
  }

  @Override
  public boolean hasStatus() {
    return true;
  }

  @Override
  public void applyDefaults(ObjectNode object) {
    ObjectNode spec = Tree.object(object, "spec");
    if (!spec.has("replicas")) {
      spec.put("replicas", 1);
    }
    if (deployment) {
      ObjectNode strategy = Tree.object(spec, "strategy");
      PodDefaults.putIfAbsent(strategy, "type", "RollingUpdate");
      if (strategy.path("type").asString().equals("RollingUpdate")) {
        ObjectNode rolling = Tree.object(strategy, "rollingUpdate");
        if (!rolling.has("maxUnavailable")) {
          rolling.put("maxUnavailable", "25%");
        }
        if (!rolling.has("maxSurge")) {
          rolling.put("maxSurge", "25%");
        }
      }
      if (!spec.has("revisionHistoryLimit")) {
        spec.put("revisionHistoryLimit", 10);
      }
      if (!spec.has("progressDeadlineSeconds")) {
        spec.put("progressDeadlineSeconds", 600);
      }
    }
    JsonNode template = spec.path("template");
    if (template.isObject()) {
      Tree.object((ObjectNode) template, "metadata");
      PodDefaults.applyToSpec(Tree.object((ObjectNode) template, "spec"), false);
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode spec = object.path("spec");
    JsonNode replicas = spec.path("replicas");
    if (replicas.isNumber() && replicas.asLong() < 0) {
      errors.add(FieldError.invalid("spec.replicas", replicas.asLong(), "must be greater than or equal to 0"));
    }
    JsonNode selector = spec.path("selector");
    LabelSelector parsed = null;
    if (!selector.isObject() || selector.isEmpty()) {
      errors.add(FieldError.required("spec.selector", ""));
    } else {
      try {
        parsed = LabelSelector.fromObject(selector);
        if (parsed.isEverything()) {
          errors.add(FieldError.invalid("spec.selector", selector, "empty selector is invalid for deployment"));
        }
      } catch (SelectorException e) {
        errors.add(FieldError.invalid("spec.selector", selector, e.getMessage()));
      }
      errors.addAll(ObjectMetaValidation.labels(selector.path("matchLabels"), "spec.selector.matchLabels"));
    }
    JsonNode template = spec.path("template");
    JsonNode labels = template.path("metadata").path("labels");
    errors.addAll(ObjectMetaValidation.labels(labels, "spec.template.metadata.labels"));
    if (parsed != null && !parsed.isEverything() && !parsed.matches(Selection.labelsOf(template))) {
      errors.add(FieldError.invalid("spec.template.metadata.labels", labels.isObject() ? labels.toString() : "{}",
          "`selector` does not match template `labels`"));
    }
    errors.addAll(PodSpecValidation.validate(template.path("spec"), "spec.template.spec"));
    String restartPolicy = template.path("spec").path("restartPolicy").asString("Always");
    if (!restartPolicy.equals("Always")) {
      errors.add(FieldError.notSupported("spec.template.spec.restartPolicy", restartPolicy, List.of("Always")));
    }
    if (deployment) {
      String type = spec.path("strategy").path("type").asString("RollingUpdate");
      if (!type.equals("RollingUpdate") && !type.equals("Recreate")) {
        errors.add(FieldError.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate")));
      }
      if (type.equals("Recreate") && spec.path("strategy").has("rollingUpdate")) {
        errors.add(FieldError.forbidden("spec.strategy.rollingUpdate",
            "may not be specified when strategy `type` is 'Recreate'"));
      }
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(object));
    JsonNode selector = object.path("spec").path("selector");
    if (!selector.equals(old.path("spec").path("selector"))) {
      errors.add(FieldError.invalid("spec.selector", selector, "field is immutable"));
    }
    return errors;
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode object) {
    return deployment ? Map.of()
        : Map.of("status.replicas", Long.toString(object.path("status").path("replicas").asLong(0)));
  }

  @Override
  protected Set<String> extraFieldNames() {
    return deployment ? Set.of() : Set.of("status.replicas");
  }
}
