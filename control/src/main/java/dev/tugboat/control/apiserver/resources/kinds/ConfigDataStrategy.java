package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * ConfigMaps and Secrets: key names of {@code data} (and {@code binaryData}/{@code stringData}), base64 secret
 * values, {@code stringData} folded into {@code data}, an immutable flag that freezes the content.
 */
public final class ConfigDataStrategy extends ResourceStrategy {

  private static final Pattern CONFIG_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  private static final int MAX_SIZE = 1024 * 1024;

  private final boolean secret;

  private ConfigDataStrategy(boolean secret) {
    this.secret = secret;
  }

  public static ConfigDataStrategy configMap() {
    return new ConfigDataStrategy(false);
  }

  public static ConfigDataStrategy secret() {
    return new ConfigDataStrategy(true);
  }

  @Override
  public void applyDefaults(ObjectNode object) {
    if (!secret) {
      return;
    }
    PodDefaults.putIfAbsent(object, "type", "Opaque");
    JsonNode stringData = object.remove("stringData");
    if (stringData != null && stringData.isObject()) {
      ObjectNode data = object.path("data").isObject() ? (ObjectNode) object.get("data") : object.putObject("data");
      for (Map.Entry<String, JsonNode> entry : stringData.properties()) {
        data.put(entry.getKey(), Base64.getEncoder().encodeToString(
            entry.getValue().asString("").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      }
    }
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    Set<String> keys = new HashSet<>();
    long size = 0;
    for (String field : secret ? new String[] {"data"} : new String[] {"data", "binaryData"}) {
      JsonNode map = object.path(field);
      if (!map.isObject()) {
        continue;
      }
      for (Map.Entry<String, JsonNode> entry : map.properties()) {
        String key = entry.getKey();
        String at = field + "[" + key + "]";
        if (key.length() > 253 || !CONFIG_KEY.matcher(key).matches()) {
          errors.add(FieldError.invalid(at, key, "a valid config key must consist of alphanumeric characters, "
              + "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
              + "'[-._a-zA-Z0-9]+')"));
        }
        if (!keys.add(key)) {
          errors.add(FieldError.invalid(at, key, "duplicate of key present in data"));
        }
        String value = entry.getValue().asString("");
        size += value.length();
        if (secret || field.equals("binaryData")) {
          try {
            Base64.getDecoder().decode(value);
          } catch (IllegalArgumentException e) {
            errors.add(FieldError.invalid(at, "<value omitted>", "must be base64-encoded: " + e.getMessage()));
          }
        }
      }
    }
    if (size > MAX_SIZE) {
      errors.add(new FieldError(FieldError.Type.TOO_LONG, "data", null, "must have at most " + MAX_SIZE + " bytes"));
    }
    return errors;
  }

  @Override
  public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>(validate(object));
    if (old.path("immutable").asBoolean(false)) {
      for (String field : new String[] {"data", "binaryData"}) {
        if (!object.path(field).equals(old.path(field))) {
          errors.add(FieldError.forbidden(field, "field is immutable when `immutable` is set"));
        }
      }
      if (!object.path("immutable").asBoolean(false)) {
        errors.add(FieldError.forbidden("immutable", "field is immutable when `immutable` is set"));
      }
    }
    if (secret && !object.path("type").equals(old.path("type"))) {
      errors.add(FieldError.invalid("type", object.path("type"), "field is immutable"));
    }
    return errors;
  }

  @Override
  protected Map<String, String> extraFields(ObjectNode object) {
    return secret ? Map.of("type", object.path("type").asString("")) : Map.of();
  }

  @Override
  protected Set<String> extraFieldNames() {
    return secret ? Set.of("type") : Set.of();
  }
}
