package dev.tugboat.control.apiserver.resources.patch;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * JSON patch (RFC 6902): add, remove, replace, move, copy and test, applied in order to a copy of the document;
 * either every operation applies or the document is left as it was.
 */
public final class JsonPatch {

  private JsonPatch() {}

  /** The patched document; {@code target} is not modified. */
  public static JsonNode apply(JsonNode target, JsonNode patch) {
    if (!patch.isArray()) {
      throw PatchException.malformed("json patch must be an array of operations, not " + describe(patch));
    }
    JsonNode document = target.deepCopy();
    for (int i = 0; i < patch.size(); i++) {
      JsonNode operation = patch.get(i);
      if (!operation.isObject()) {
        throw PatchException.malformed("json patch operation " + i + " must be an object, not " + describe(operation));
      }
      document = applyOperation(document, operation, i);
    }
    return document;
  }

  private static JsonNode applyOperation(JsonNode document, JsonNode operation, int index) {
    String op = text(operation, "op", index);
    JsonPointer path = JsonPointer.parse(text(operation, "path", index));
    switch (op) {
      case "add":
        return add(document, path, value(operation, index, op).deepCopy(), op);
      case "remove":
        remove(document, path, op);
        return path.isRoot() ? null : document;
      case "replace": {
        JsonNode value = value(operation, index, op).deepCopy();
        get(document, path, op);
        if (path.isRoot()) {
          return value;
        }
        remove(document, path, op);
        return add(document, path, value, op);
      }
      case "move": {
        JsonPointer from = JsonPointer.parse(text(operation, "from", index));
        if (from.isPrefixOf(path)) {
          throw PatchException.doesNotApply("json patch move operation: cannot move " + from + " into its own child "
              + path);
        }
        JsonNode value = get(document, from, op);
        if (from.equals(path)) {
          return document;
        }
        remove(document, from, op);
        return add(document, path, value, op);
      }
      case "copy": {
        JsonPointer from = JsonPointer.parse(text(operation, "from", index));
        return add(document, path, get(document, from, op).deepCopy(), op);
      }
      case "test": {
        JsonNode expected = value(operation, index, op);
        JsonNode actual = get(document, path, op);
        if (!jsonEquals(actual, expected)) {
          throw PatchException.doesNotApply("json patch test operation failed: " + path + " is " + actual + ", not "
              + expected);
        }
        return document;
      }
      default:
        throw PatchException.malformed("json patch operation " + index + ": unknown op \"" + op
            + "\" (expected add, remove, replace, move, copy or test)");
    }
  }

  private static String text(JsonNode operation, String field, int index) {
    JsonNode value = operation.get(field);
    if (value == null || !value.isString()) {
      throw PatchException.malformed("json patch operation " + index + ": \"" + field + "\" is required and must be "
          + "a string");
    }
    return value.asString();
  }

  private static JsonNode value(JsonNode operation, int index, String op) {
    JsonNode value = operation.get("value");
    if (value == null) {
      throw PatchException.malformed("json patch operation " + index + " (" + op + "): \"value\" is required");
    }
    return value;
  }

  private static JsonNode get(JsonNode document, JsonPointer path, String op) {
    JsonNode current = document;
    for (String token : path.tokens()) {
      if (current != null && current.isObject()) {
        current = current.get(token);
      } else if (current != null && current.isArray()) {
        int i = arrayIndex(token, current.size() - 1, path, op);
        current = current.get(i);
      } else {
        current = null;
      }
      if (current == null) {
        throw PatchException.doesNotApply("json patch " + op + " operation: path " + path + " does not exist");
      }
    }
    return current;
  }

  private static JsonNode add(JsonNode document, JsonPointer path, JsonNode value, String op) {
    if (path.isRoot()) {
      return value;
    }
    JsonNode parent = get(document, path.parent(), op);
    String last = path.last();
    if (parent.isObject()) {
      ((ObjectNode) parent).set(last, value);
    } else if (parent.isArray()) {
      ArrayNode array = (ArrayNode) parent;
      if (last.equals("-")) {
        array.add(value);
      } else {
        array.insert(arrayIndex(last, array.size(), path, op), value);
      }
    } else {
      throw PatchException.doesNotApply("json patch " + op + " operation: parent of " + path
          + " is not an object or array");
    }
    return document;
  }

  private static void remove(JsonNode document, JsonPointer path, String op) {
    if (path.isRoot()) {
      return;
    }
    JsonNode parent = get(document, path.parent(), op);
    String last = path.last();
    if (parent.isObject() && parent.has(last)) {
      ((ObjectNode) parent).remove(last);
    } else if (parent.isArray()) {
      ((ArrayNode) parent).remove(arrayIndex(last, parent.size() - 1, path, op));
    } else {
      throw PatchException.doesNotApply("json patch " + op + " operation: path " + path + " does not exist");
    }
  }

  private static int arrayIndex(String token, int max, JsonPointer path, String op) {
    if (token.isEmpty() || !token.chars().allMatch(Character::isDigit) || token.length() > 1 && token.charAt(0) == '0') {
      throw PatchException.doesNotApply("json patch " + op + " operation: path " + path + ": \"" + token
          + "\" is not an array index");
    }
    int i;
    try {
      i = Integer.parseInt(token);
    } catch (NumberFormatException e) {
      i = Integer.MAX_VALUE;
    }
    if (i > max) {
      throw PatchException.doesNotApply("json patch " + op + " operation: path " + path + ": index " + token
          + " is out of bounds");
    }
    return i;
  }

  /** JSON equality: numbers by value (1 equals 1.0), objects regardless of member order. */
  static boolean jsonEquals(JsonNode a, JsonNode b) {
    if (a.isNumber() && b.isNumber()) {
      return new BigDecimal(a.asString()).compareTo(new BigDecimal(b.asString())) == 0;
    }
    if (a.isObject() && b.isObject()) {
      if (a.size() != b.size()) {
        return false;
      }
      for (Map.Entry<String, JsonNode> member : a.properties()) {
        JsonNode other = b.get(member.getKey());
        if (other == null || !jsonEquals(member.getValue(), other)) {
          return false;
        }
      }
      return true;
    }
    if (a.isArray() && b.isArray()) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<JsonNode> ia = a.iterator();
      Iterator<JsonNode> ib = b.iterator();
      while (ia.hasNext()) {
        if (!jsonEquals(ia.next(), ib.next())) {
          return false;
        }
      }
      return true;
    }
    return a.equals(b);
  }

  private static String describe(JsonNode node) {
    return node.getNodeType().toString().toLowerCase();
  }
}
