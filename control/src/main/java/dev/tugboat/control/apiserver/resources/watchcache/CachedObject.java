package dev.tugboat.control.apiserver.resources.watchcache;

import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.IllegalReferenceCountException;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/**
 * One object as the watch cache holds it: its JSON exactly as the API serves it (resourceVersion included), encoded
 * once and written out as is by lists and watches, and the labels and fields that selectors look at. A JSON tree of
 * a pod takes several times the memory of its bytes, and encoding it again for every list or watcher is most of
 * their cost.
 *
 * <p>The JSON lives off the heap, in a reference-counted direct buffer: kept on the heap, each created pod's 1.15 KB
 * array was the largest thing the server promoted out of the young generation, and copying 10,000 of them is what
 * set the young pauses behind create's p99 with 64 clients. The cache holds one reference while the object is
 * current and each change in its history one more; a reader that uses the bytes after the cache's lock takes its
 * own ({@link #retainedJson()}).
 */
public final class CachedObject {

  private final ByteBuf json;
  private final Map<String, String> labels;
  private final Map<String, String> fields;

  private CachedObject(ByteBuf json, Map<String, String> labels, Map<String, String> fields) {
    this.json = json;
    this.labels = labels;
    this.fields = fields;
  }

  /**
   * {@code json} is the object as served, copied off the heap (the array is not kept); {@code labels} and
   * {@code fields} what selectors see of it, immutable. The new object holds one reference, its creator's.
   */
  static CachedObject of(byte[] json, Map<String, String> labels, Map<String, String> fields,
                         ByteBufAllocator allocator) {
    ByteBuf bytes = allocator.directBuffer(json.length, json.length);
    bytes.writeBytes(json);
    return new CachedObject(bytes, labels, fields);
  }

  /** The encoded object, valid while the caller holds a reference (the cache's, under its lock); never modified. */
  ByteBuf json() {
    return json;
  }

  /**
   * The encoded object under a reference of the caller's own, which it releases: for a reader that writes the bytes
   * out after the cache's lock (a list being encoded). Called under the cache's lock.
   */
  public ByteBuf retainedJson() {
    return json.retainedDuplicate();
  }

  /** A copy of the encoded object on the heap, or null once the cache has let go of it (see {@link #tree()}). */
  public byte[] jsonBytes() {
    // A freed buffer refuses retain() only while its object is not reused for another: true of the unpooled
    // allocator the cache uses, not of a pooled one, which recycles buffer objects.
    try {
      json.retain();
    } catch (IllegalReferenceCountException released) {
      return null;
    }
    try {
      byte[] copy = new byte[json.readableBytes()];
      json.getBytes(json.readerIndex(), copy);
      return copy;
    } finally {
      json.release();
    }
  }

  /**
   * A fresh tree of the object, the caller's to change; null once the cache has let go of it (replaced, and its
   * change gone from the history), which a caller holding it past the cache's lock must expect: read it again.
   */
  public ObjectNode tree() {
    byte[] bytes = jsonBytes();
    return bytes == null ? null : Codec.parseStored(bytes);
  }

  public boolean matches(Selection selection) {
    return selection.matches(labels, fields);
  }

  void retain() {
    json.retain();
  }

  void release() {
    json.release();
  }
}
