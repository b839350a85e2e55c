package dev.tugboat.control.apiserver.resources.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** Validation of {@code metadata} shared by every kind ({@code ValidateObjectMeta}). */
public final class ObjectMetaValidation {

  private static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

  private ObjectMetaValidation() {}

  public static List<FieldError> validate(JsonNode object, boolean namespaced,
                                          Function<String, List<String>> nameRule) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode metadata = object.path("metadata");
    String name = metadata.path("name").asString("");
    String generateName = metadata.path("generateName").asString("");
    if (name.isEmpty()) {
      if (generateName.isEmpty()) {
        errors.add(FieldError.required("metadata.name", "name or generateName is required"));
      }
    } else {
      for (String problem : nameRule.apply(name)) {
        errors.add(FieldError.invalid("metadata.name", name, problem));
      }
    }
    if (namespaced) {
      if (metadata.path("namespace").asString("").isEmpty()) {
        errors.add(FieldError.required("metadata.namespace", ""));
      }
    }
    errors.addAll(labels(metadata.path("labels"), "metadata.labels"));
    JsonNode annotations = metadata.path("annotations");
    if (annotations.isObject()) {
      long size = 0;
      for (Map.Entry<String, JsonNode> entry : annotations.properties()) {
        for (String problem : Names.qualifiedName(entry.getKey().toLowerCase())) {
          errors.add(FieldError.invalid("metadata.annotations", entry.getKey(), problem));
        }
        size += entry.getKey().length() + entry.getValue().asString("").length();
      }
      if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
        errors.add(new FieldError(FieldError.Type.TOO_LONG, "metadata.annotations", null,
            "must have at most " + TOTAL_ANNOTATION_SIZE_LIMIT + " bytes"));
      }
    }
    JsonNode finalizers = metadata.path("finalizers");
    if (finalizers.isArray()) {
      for (int i = 0; i < finalizers.size(); i++) {
        String finalizer = finalizers.get(i).asString("");
        for (String problem : Names.qualifiedName(finalizer)) {
          errors.add(FieldError.invalid("metadata.finalizers[" + i + "]", finalizer, problem));
        }
      }
    }
    JsonNode owners = metadata.path("ownerReferences");
    if (owners.isArray()) {
      for (int i = 0; i < owners.size(); i++) {
        JsonNode owner = owners.get(i);
        String path = "metadata.ownerReferences[" + i + "]";
        for (String field : new String[] {"apiVersion", "kind", "name", "uid"}) {
          if (owner.path(field).asString("").isEmpty()) {
            errors.add(FieldError.invalid(path + "." + field, "", field + " must not be empty"));
          }
        }
      }
    }
    return errors;
  }

  /** A label map: keys are qualified names, values label values. */
  public static List<FieldError> labels(JsonNode labels, String path) {
    List<FieldError> errors = new ArrayList<>();
    if (!labels.isObject()) {
      return errors;
    }
    for (Map.Entry<String, JsonNode> entry : labels.properties()) {
      for (String problem : Names.qualifiedName(entry.getKey())) {
        errors.add(FieldError.invalid(path, entry.getKey(), problem));
      }
      String value = entry.getValue().isString() ? entry.getValue().asString() : entry.getValue().toString();
      for (String problem : Names.labelValue(value)) {
        errors.add(FieldError.invalid(path, value, problem));
      }
    }
    return errors;
  }
}
