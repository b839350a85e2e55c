package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** core/v1 Events: created or updated freely by components, selectable by the object they are about. */
public final class EventStrategy extends ResourceStrategy {

  private static final String[] INVOLVED = {"kind", "namespace", "name", "uid", "apiVersion", "resourceVersion",
      "fieldPath"};

  @Override
  public List<String> validateName(String name) {
    return name.isEmpty() ? List.of("must be non-empty") : List.of();
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return true;
  }

  @Override
  public List<FieldError> validate(ObjectNode event) {
    List<FieldError> errors = new ArrayList<>();
    String namespace = event.path("metadata").path("namespace").asString("");
    String involvedNamespace = event.path("involvedObject").path("namespace").asString("");
    if (!involvedNamespace.isEmpty() && !involvedNamespace.equals(namespace)) {
      errors.add(FieldError.invalid("involvedObject.namespace", involvedNamespace,
          "does not match event.namespace"));
    }
    String type = event.path("type").asString("");
    if (!type.isEmpty() && !type.equals("Normal") && !type.equals("Warning")) {
      errors.add(FieldError.notSupported("type", type, List.of("Normal", "Warning")));
    }
    return errors;
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode event) {
    Map<String, String> fields = new LinkedHashMap<>();
    JsonNode involved = event.path("involvedObject");
    for (String field : INVOLVED) {
      fields.put("involvedObject." + field, involved.path(field).asString(""));
    }
    fields.put("reason", event.path("reason").asString(""));
    fields.put("reportingComponent", event.path("reportingComponent").asString(""));
    fields.put("source", event.path("source").path("component").asString(
        event.path("reportingComponent").asString("")));
    fields.put("type", event.path("type").asString(""));
    return fields;
  }

  @Override
  protected Set<String> extraFieldNames() {
    Set<String> names = new java.util.HashSet<>(Set.of("reason", "reportingComponent", "source", "type"));
    for (String field : INVOLVED) {
      names.add("involvedObject." + field);
    }
    return names;
  }
}
