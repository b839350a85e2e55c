package dev.tugboat.control.apiserver.resources.watchcache;

import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One object as the watch cache holds it: its JSON exactly as the API serves it (resourceVersion included), encoded
 * once and written out as is by lists and watches, and the labels and fields that selectors look at. A JSON tree of
 * a pod takes several times the memory of its bytes, and encoding it again for every list or watcher is most of
 * their cost.
 */
public final class CachedObject {

  private final byte[] json;
  private final Map<String, String> labels;
  private final Map<String, String> fields;

  private CachedObject(byte[] json, Map<String, String> labels, Map<String, String> fields) {
    this.json = json;
    this.labels = labels;
    this.fields = fields;
  }

  /** {@code object} must carry its resourceVersion; it is not kept. */
  public static CachedObject of(ObjectNode object, ResourceStrategy strategy) {
    return new CachedObject(Codec.encode(object), Map.copyOf(Selection.labelsOf(object)),
        Map.copyOf(strategy.fields(object)));
  }

  /**
   * {@code json} is the object as served (resourceVersion included), {@code object} its tree with or without the
   * resourceVersion (selectors do not look at it); the tree is not kept.
   */
  public static CachedObject of(byte[] json, ObjectNode object, ResourceStrategy strategy) {
    return new CachedObject(json, Map.copyOf(Selection.labelsOf(object)), Map.copyOf(strategy.fields(object)));
  }

  /** {@code json} is the object as served; {@code labels} and {@code fields} what selectors see of it, immutable. */
  public static CachedObject of(byte[] json, Map<String, String> labels, Map<String, String> fields) {
    return new CachedObject(json, labels, fields);
  }

  /** The encoded object; shared, never to be modified. */
  public byte[] json() {
    return json;
  }

  /** A fresh tree of the object, the caller's to change. */
  public ObjectNode tree() {
    return Codec.parseStored(json);
  }

  public boolean matches(Selection selection) {
    return selection.matches(labels, fields);
  }
}
