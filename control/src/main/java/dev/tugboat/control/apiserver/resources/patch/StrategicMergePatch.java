package dev.tugboat.control.apiserver.resources.patch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Strategic merge patch as the Kubernetes API server applies it ({@code strategicpatch.StrategicMergePatch}): a
 * merge patch in which the lists a {@link PatchSchema} names merge element by element (by merge key, or as sets of
 * scalars), with the directives kubectl's client-side apply sends: {@code $patch: replace|delete} in maps and list
 * elements, {@code $retainKeys}, {@code $deleteFromPrimitiveList/<list>} and {@code $setElementOrder/<list>}. List
 * order follows Kubernetes' rules: patch order for the patched elements, live order for the others, interleaved
 * by their live positions.
 */
public final class StrategicMergePatch {

  static final String DIRECTIVE = "$patch";
  static final String RETAIN_KEYS = "$retainKeys";
  static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";
  static final String SET_ELEMENT_ORDER = "$setElementOrder/";

  private final PatchSchema schema;

  private StrategicMergePatch(PatchSchema schema) {
    this.schema = schema;
  }

  /** The patched document; neither argument is modified. */
  public static JsonNode apply(JsonNode target, JsonNode patch, PatchSchema schema) {
    if (!patch.isObject()) {
      throw PatchException.malformed("strategic merge patch must be a JSON object, not "
          + patch.getNodeType().toString().toLowerCase());
    }
    ObjectNode original = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
        : JsonNodeFactory.instance.objectNode();
    return new StrategicMergePatch(schema).mergeMap(original, ((ObjectNode) patch).deepCopy(), "");
  }

  private static String child(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private ObjectNode mergeMap(ObjectNode original, ObjectNode patch, String path) {
    JsonNode directive = patch.get(DIRECTIVE);
    if (directive != null) {
      String value = directive.isString() ? directive.asString() : directive.toString();
      switch (value) {
        case "replace":
          patch.remove(DIRECTIVE);
          return mergeMap(JsonNodeFactory.instance.objectNode(), patch, path);
        case "delete":
          return JsonNodeFactory.instance.objectNode();
        default:
          throw PatchException.malformed("strategic merge patch: unknown patch type \"" + value + "\" at "
              + (path.isEmpty() ? "the top level" : path));
      }
    }
    applyRetainKeys(original, patch, path);
    applySetElementOrders(original, patch, path);
    for (Map.Entry<String, JsonNode> entry : new ArrayList<>(patch.properties())) {
      String key = entry.getKey();
      JsonNode value = entry.getValue();
      if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        deleteFromPrimitiveList(original, key.substring(DELETE_FROM_PRIMITIVE_LIST.length()), value, path);
        continue;
      }
      if (value.isNull()) {
        original.remove(key);
        continue;
      }
      String childPath = child(path, key);
      JsonNode current = original.get(key);
      if (current != null && current.isObject() && value.isObject()) {
        original.set(key, mergeMap((ObjectNode) current, (ObjectNode) value, childPath));
      } else if (current != null && current.isArray() && value.isArray()) {
        original.set(key, mergeList((ArrayNode) current, (ArrayNode) value, childPath));
      } else {
        original.set(key, fresh(value, childPath));
      }
    }
    return original;
  }

  /** A patch value with nothing to merge into: its directives are resolved against an empty value. */
  private JsonNode fresh(JsonNode value, String path) {
    if (value.isObject()) {
      return mergeMap(JsonNodeFactory.instance.objectNode(), (ObjectNode) value, path);
    }
    if (value.isArray()) {
      return mergeList(JsonNodeFactory.instance.arrayNode(), (ArrayNode) value, path);
    }
    return value;
  }

  private static void applyRetainKeys(ObjectNode original, ObjectNode patch, String path) {
    JsonNode retain = patch.remove(RETAIN_KEYS);
    if (retain == null) {
      return;
    }
    if (!retain.isArray()) {
      throw PatchException.malformed("strategic merge patch: invalid patch format of retainKeys at " + path
          + ": must be a list of field names");
    }
    List<String> keep = new ArrayList<>();
    retain.forEach(k -> keep.add(k.asString()));
    for (Map.Entry<String, JsonNode> entry : patch.properties()) {
      String key = entry.getKey();
      if (entry.getValue().isNull() || key.startsWith(DELETE_FROM_PRIMITIVE_LIST) || key.startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      if (!keep.contains(key)) {
        throw PatchException.malformed("strategic merge patch: invalid patch format of retainKeys at " + path
            + ": field \"" + key + "\" is patched but not retained");
      }
    }
    List<String> drop = new ArrayList<>();
    for (String key : original.propertyNames()) {
      if (!keep.contains(key)) {
        drop.add(key);
      }
    }
    original.remove(drop);
  }

  private void deleteFromPrimitiveList(ObjectNode original, String field, JsonNode toDelete, String path) {
    if (!toDelete.isArray()) {
      throw PatchException.malformed("strategic merge patch: " + DELETE_FROM_PRIMITIVE_LIST + field + " at " + path
          + " must be a list");
    }
    JsonNode current = original.get(field);
    if (current == null || !current.isArray()) {
      return;
    }
    ArrayNode kept = JsonNodeFactory.instance.arrayNode();
    for (JsonNode item : current) {
      if (indexOf(toDelete, item, null) < 0) {
        kept.add(item);
      }
    }
    original.set(field, kept);
  }

  /** {@code $setElementOrder/<list>}: merges that list and orders it as the directive says. */
  private void applySetElementOrders(ObjectNode original, ObjectNode patch, String path) {
    for (Map.Entry<String, JsonNode> entry : new ArrayList<>(patch.properties())) {
      if (!entry.getKey().startsWith(SET_ELEMENT_ORDER)) {
        continue;
      }
      patch.remove(entry.getKey());
      JsonNode order = entry.getValue();
      String field = entry.getKey().substring(SET_ELEMENT_ORDER.length());
      if (!order.isArray()) {
        throw PatchException.malformed("strategic merge patch: " + entry.getKey() + " at " + path
            + " must be a list");
      }
      String childPath = child(path, field);
      JsonNode current = original.get(field);
      JsonNode patchList = patch.get(field);
      ArrayNode originalList = current != null && current.isArray() ? (ArrayNode) current : null;
      ArrayNode patchArray = patchList != null && patchList.isArray() ? (ArrayNode) patchList : null;
      ArrayNode merged;
      if (originalList == null && patchArray == null) {
        continue;
      } else if (patchArray == null) {
        merged = originalList;
      } else if (originalList == null) {
        merged = (ArrayNode) fresh(patchArray, childPath);
      } else {
        merged = mergeList(originalList, patchArray, childPath);
      }
      PatchSchema.MergeList strategy = schema.list(childPath);
      String mergeKey = strategy == null || strategy.mergeKey().isEmpty() ? null : strategy.mergeKey();
      List<JsonNode> patchItems = new ArrayList<>();
      List<JsonNode> serverOnly = new ArrayList<>();
      partition(merged, order, mergeKey, patchItems, serverOnly);
      List<JsonNode> serverOrder = new ArrayList<>();
      if (originalList != null) {
        originalList.forEach(serverOrder::add);
      }
      original.set(field, normalizeElementOrder(patchItems, serverOnly, list(order), serverOrder, mergeKey));
      patch.remove(field);
    }
  }

  private ArrayNode mergeList(ArrayNode original, ArrayNode patch, String path) {
    PatchSchema.MergeList strategy = schema.list(path);
    if (strategy == null) {
      return patch;
    }
    if (original.isEmpty() && patch.isEmpty()) {
      return original;
    }
    boolean maps = isListOfMaps(original, patch, path);
    if (!maps) {
      List<JsonNode> merged = new ArrayList<>();
      for (JsonNode item : original) {
        if (indexOf(merged, item, null) < 0) {
          merged.add(item);
        }
      }
      for (JsonNode item : patch) {
        if (indexOf(merged, item, null) < 0) {
          merged.add(item);
        }
      }
      List<JsonNode> patchItems = new ArrayList<>();
      List<JsonNode> serverOnly = new ArrayList<>();
      partition(merged, patch, null, patchItems, serverOnly);
      return normalizeElementOrder(patchItems, serverOnly, list(patch), list(original), null);
    }
    String key = strategy.mergeKey();
    if (key.isEmpty()) {
      throw PatchException.malformed("strategic merge patch: cannot merge lists without merge key at " + path);
    }
    List<JsonNode> live = list(original);
    List<JsonNode> patchList = new ArrayList<>();
    boolean replace = false;
    for (JsonNode item : patch) {
      JsonNode directive = item.get(DIRECTIVE);
      if (directive == null) {
        patchList.add(item);
        continue;
      }
      switch (directive.asString("")) {
        case "delete": {
          JsonNode keyValue = item.get(key);
          if (keyValue == null) {
            throw PatchException.malformed("strategic merge patch: " + path + ": " + item
                + " does not contain declared merge key: " + key);
          }
          live.removeIf(existing -> existing.isObject() && valueEquals(existing.get(key), keyValue));
          break;
        }
        case "replace":
          replace = true;
          break;
        case "merge":
          throw PatchException.malformed("strategic merge patch: " + path
              + ": merging lists cannot yet be specified in the patch");
        default:
          throw PatchException.malformed("strategic merge patch: " + path + ": unknown patch type \""
              + directive.asString("") + "\" in " + item);
      }
    }
    if (replace) {
      live = patchList;
      patchList = new ArrayList<>();
    }
    List<JsonNode> serverOrder = new ArrayList<>(live);
    List<JsonNode> merged = new ArrayList<>(live);
    for (JsonNode item : patchList) {
      JsonNode keyValue = item.get(key);
      if (keyValue == null) {
        throw PatchException.malformed("strategic merge patch: " + path + ": " + item
            + " does not contain declared merge key: " + key);
      }
      int at = indexOf(merged, item, key);
      if (at >= 0) {
        merged.set(at, mergeMap(((ObjectNode) merged.get(at)).deepCopy(), ((ObjectNode) item).deepCopy(), path));
      } else {
        merged.add(fresh(item, path));
      }
    }
    List<JsonNode> patchItems = new ArrayList<>();
    List<JsonNode> serverOnly = new ArrayList<>();
    partition(merged, patchList, key, patchItems, serverOnly);
    return normalizeElementOrder(patchItems, serverOnly, patchList, serverOrder, key);
  }

  private static boolean isListOfMaps(ArrayNode original, ArrayNode patch, String path) {
    Boolean maps = null;
    for (ArrayNode list : new ArrayNode[] {original, patch}) {
      for (JsonNode item : list) {
        if (item.isArray()) {
          throw PatchException.malformed("strategic merge patch: " + path + ": lists of lists are not supported");
        }
        boolean isMap = item.isObject();
        if (maps != null && maps != isMap) {
          throw PatchException.malformed("strategic merge patch: " + path + ": list element types are not identical");
        }
        maps = isMap;
      }
    }
    return maps != null && maps;
  }

  private static void partition(Iterable<JsonNode> merged, Iterable<JsonNode> by, String mergeKey,
                                List<JsonNode> present, List<JsonNode> absent) {
    List<JsonNode> byList = new ArrayList<>();
    by.forEach(byList::add);
    for (JsonNode item : merged) {
      if (mergeKey != null && (!item.isObject() || item.get(mergeKey) == null)) {
        absent.add(item);
      } else if (indexOf(byList, item, mergeKey) >= 0) {
        present.add(item);
      } else {
        absent.add(item);
      }
    }
  }

  /**
   * Kubernetes' normalizeElementOrder: patched items in patch order, live-only items in live order, then merged by
   * their positions in the live list (items the live list lacks go first).
   */
  private static ArrayNode normalizeElementOrder(List<JsonNode> patchItems, List<JsonNode> serverOnly,
                                                 List<JsonNode> patchOrder, List<JsonNode> serverOrder,
                                                 String mergeKey) {
    List<JsonNode> left = sortByOrder(serverOnly, serverOrder, mergeKey);
    List<JsonNode> right = sortByOrder(patchItems, patchOrder, mergeKey);
    ArrayNode result = JsonNodeFactory.instance.arrayNode();
    int i = 0;
    int j = 0;
    while (i < left.size() || j < right.size()) {
      if (i >= left.size()) {
        result.add(right.get(j++));
      } else if (j >= right.size()) {
        result.add(left.get(i++));
      } else {
        int li = indexOf(serverOrder, left.get(i), mergeKey);
        int ri = indexOf(serverOrder, right.get(j), mergeKey);
        if (li >= 0 && ri >= 0 && li < ri) {
          result.add(left.get(i++));
        } else {
          result.add(right.get(j++));
        }
      }
    }
    return result;
  }

  /** Kubernetes' normalizeSliceOrder: a stable insertion sort by position in {@code order}, deletions last. */
  private static List<JsonNode> sortByOrder(List<JsonNode> items, List<JsonNode> order, String mergeKey) {
    List<JsonNode> sorted = new ArrayList<>();
    List<JsonNode> deletions = new ArrayList<>();
    for (JsonNode item : items) {
      if (mergeKey != null && item.isObject() && "delete".equals(item.path(DIRECTIVE).asString(""))) {
        deletions.add(item);
      } else {
        sorted.add(item);
      }
    }
    for (int i = 1; i < sorted.size(); i++) {
      for (int j = i; j > 0 && less(sorted.get(j), sorted.get(j - 1), order, mergeKey); j--) {
        JsonNode swap = sorted.get(j);
        sorted.set(j, sorted.get(j - 1));
        sorted.set(j - 1, swap);
      }
    }
    sorted.addAll(deletions);
    return sorted;
  }

  private static boolean less(JsonNode a, JsonNode b, List<JsonNode> order, String mergeKey) {
    int ia = indexOf(order, a, mergeKey);
    if (ia >= 0) {
      int ib = indexOf(order, b, mergeKey);
      if (ib >= 0) {
        return ia < ib;
      }
    }
    return true;
  }

  private static int indexOf(Iterable<JsonNode> list, JsonNode item, String mergeKey) {
    JsonNode wanted = mergeKey == null ? item : item.get(mergeKey);
    int i = 0;
    for (JsonNode candidate : list) {
      JsonNode value = mergeKey == null ? candidate : candidate.isObject() ? candidate.get(mergeKey) : null;
      if (value != null && wanted != null && valueEquals(value, wanted)) {
        return i;
      }
      i++;
    }
    return -1;
  }

  private static boolean valueEquals(JsonNode a, JsonNode b) {
    return a != null && b != null && JsonPatch.jsonEquals(a, b);
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> items = new ArrayList<>();
    array.forEach(items::add);
    return items;
  }
}
