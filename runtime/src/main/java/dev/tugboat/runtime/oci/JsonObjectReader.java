package dev.tugboat.runtime.oci;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Reads one JSON object of a spec, tracking its JSON path so every error names the field
 * ({@code config.json: $.linux.resources.memory.limit: expected integer}). Every field must be claimed by a read or
 * listed as known-but-unsupported; {@link #finish()} reports the first field nobody asked for.
 */
final class JsonObjectReader {
  private final JsonNode node;
  private final String path;
  private final Set<String> claimed = new java.util.HashSet<>();

  JsonObjectReader(JsonNode node, String path) {
    this.node = node;
    this.path = path;
    if (!node.isObject()) throw error(path, "expected object");
  }

  static SpecException error(String path, String problem) {
    return new SpecException("config.json: " + path + ": " + problem);
  }

  String path(String name) {
    return path + "." + name;
  }

  SpecException fieldError(String name, String problem, Object... args) {
    return error(path(name), String.format(problem, args));
  }

  private JsonNode take(String name) {
    claimed.add(name);
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value;
  }

  boolean has(String name) {
    JsonNode value = node.get(name);
    return value != null && !value.isNull();
  }

  /** Fields the OCI spec defines that Tugboat refuses rather than silently ignores. */
  void unsupported(String... names) {
    for (String name : names) {
      if (has(name)) throw fieldError(name, "not supported by Tugboat");
    }
  }

  /** Fields the OCI spec defines whose value Tugboat accepts without acting on it. */
  void ignored(String... names) {
    for (String name : names) claimed.add(name);
  }

  String string(String name, String fallback) {
    JsonNode v = take(name);
    if (v == null) return fallback;
    if (!v.isString()) throw fieldError(name, "expected string");
    return v.stringValue();
  }

  String requiredString(String name) {
    String v = string(name, null);
    if (v == null) throw fieldError(name, "required");
    return v;
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = take(name);
    if (v == null) return fallback;
    if (!v.isBoolean()) throw fieldError(name, "expected boolean");
    return v.booleanValue();
  }

  Long integer(String name) {
    JsonNode v = take(name);
    if (v == null) return null;
    return integerAt(v, path(name));
  }

  long requiredInteger(String name) {
    Long v = integer(name);
    if (v == null) throw fieldError(name, "required");
    return v;
  }

  static long integerAt(JsonNode v, String path) {
    if (!v.isIntegralNumber()) throw error(path, "expected integer");
    if (!v.canConvertToLong()) {
      // Memory and rlimits use the unsigned 64-bit maximum for "unlimited".
      if (v.bigIntegerValue().equals(java.math.BigInteger.ONE.shiftLeft(64).subtract(java.math.BigInteger.ONE))) return -1;
      throw error(path, "integer out of range");
    }
    return v.longValue();
  }

  List<String> strings(String name) {
    JsonNode v = take(name);
    if (v == null) return List.of();
    if (!v.isArray()) throw fieldError(name, "expected array of strings");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      if (!v.get(i).isString()) throw error(path(name) + "[" + i + "]", "expected string");
      out.add(v.get(i).stringValue());
    }
    return List.copyOf(out);
  }

  List<Long> integers(String name) {
    JsonNode v = take(name);
    if (v == null) return List.of();
    if (!v.isArray()) throw fieldError(name, "expected array of integers");
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) out.add(integerAt(v.get(i), path(name) + "[" + i + "]"));
    return List.copyOf(out);
  }

  Map<String, String> stringMap(String name) {
    JsonNode v = take(name);
    if (v == null) return Map.of();
    if (!v.isObject()) throw fieldError(name, "expected object of strings");
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : v.properties()) {
      if (!e.getValue().isString()) throw error(path(name) + "." + e.getKey(), "expected string");
      out.put(e.getKey(), e.getValue().stringValue());
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  JsonObjectReader object(String name) {
    JsonNode v = take(name);
    return v == null ? null : new JsonObjectReader(v, path(name));
  }

  List<JsonObjectReader> objects(String name) {
    JsonNode v = take(name);
    if (v == null) return List.of();
    if (!v.isArray()) throw fieldError(name, "expected array of objects");
    List<JsonObjectReader> out = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) out.add(new JsonObjectReader(v.get(i), path(name) + "[" + i + "]"));
    return out;
  }

  void finish() {
    for (String name : node.propertyNames()) {
      if (!claimed.contains(name)) throw fieldError(name, "unknown field");
    }
  }
}
