package dev.tugboat.control.apiserver.resources.selection;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Which objects a list or watch wants: a label selector and a field selector over one kind's selectable fields. */
public record Selection(LabelSelector labels, FieldSelector fields, Function<ObjectNode, Map<String, String>> fieldsOf) {

  public boolean isEverything() {
    return labels.isEverything() && fields.isEverything();
  }

  public boolean matches(ObjectNode object) {
    if (!labels.isEverything() && !labels.matches(labelsOf(object))) {
      return false;
    }
    return fields.isEverything() || fields.matches(fieldsOf.apply(object));
  }

  /** The same test over an object's labels and selectable fields, already extracted. */
  public boolean matches(Map<String, String> objectLabels, Map<String, String> objectFields) {
    if (!labels.isEverything() && !labels.matches(objectLabels)) {
      return false;
    }
    return fields.isEverything() || fields.matches(objectFields);
  }

  public static Map<String, String> labelsOf(JsonNode object) {
    JsonNode labels = object.path("metadata").path("labels");
    if (!labels.isObject() || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> map = new HashMap<>();
    for (Map.Entry<String, JsonNode> entry : labels.properties()) {
      map.put(entry.getKey(), entry.getValue().asString());
    }
    return map;
  }
}
