package dev.tugboat.control.apiserver.resources;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Reads and writes nested fields of Kubernetes objects held as JSON trees. */
public final class Tree {

  private Tree() {}

  /** The value at {@code path}, or a missing node. */
  public static JsonNode at(JsonNode node, String... path) {
    JsonNode current = node;
    for (String field : path) {
      if (current == null || !current.isObject()) {
        return tools.jackson.databind.node.MissingNode.getInstance();
      }
      current = current.path(field);
    }
    return current;
  }

  /** The string at {@code path}, or null when absent or not a string. */
  public static String text(JsonNode node, String... path) {
    JsonNode value = at(node, path);
    return value.isString() ? value.asString() : null;
  }

  public static String textOr(JsonNode node, String fallback, String... path) {
    String value = text(node, path);
    return value == null ? fallback : value;
  }

  /** The object at {@code path}, created (replacing non-objects) as needed. */
  public static ObjectNode object(ObjectNode node, String... path) {
    ObjectNode current = node;
    for (String field : path) {
      JsonNode next = current.get(field);
      if (next == null || !next.isObject()) {
        next = current.putObject(field);
      }
      current = (ObjectNode) next;
    }
    return current;
  }

  public static ObjectNode metadata(ObjectNode object) {
    return object(object, "metadata");
  }

  public static String name(JsonNode object) {
    return text(object, "metadata", "name");
  }

  public static String namespace(JsonNode object) {
    return text(object, "metadata", "namespace");
  }

  public static boolean isPresent(JsonNode value) {
    return value != null && !value.isMissingNode() && !value.isNull();
  }
}
