package dev.tugboat.control.apiserver.resources;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A list response ({@code PodList} and the like) whose items are already encoded JSON objects, from the watch cache
 * or the store: {@link #encode()} writes them out as they are, without a tree of the whole list.
 *
 * <p>Items from the watch cache are references to its direct buffers, copied once, straight into the encoded list.
 * A list is used once: {@link #encode()} or {@link #tree()} releases its items.
 */
final class ObjectList {

  private static final byte[] ITEMS_START = ",\"items\":[".getBytes(StandardCharsets.US_ASCII);
  private final String kind;
  private final String apiVersion;
  private final List<ByteBuf> items = new ArrayList<>();
  private String resourceVersion = "";
  private String continueToken;
  private long remainingItemCount = -1;

  ObjectList(String kind, String apiVersion) {
    this.kind = kind;
    this.apiVersion = apiVersion;
  }

  void add(byte[] itemJson) {
    items.add(Unpooled.wrappedBuffer(itemJson));
  }

  /** {@code itemJson}'s reference passes to this list. */
  void add(ByteBuf itemJson) {
    items.add(itemJson);
  }

  int size() {
    return items.size();
  }

  void resourceVersion(long revision) {
    this.resourceVersion = Long.toString(revision);
  }

  void continueFrom(String token, long remaining) {
    this.continueToken = token;
    this.remainingItemCount = remaining;
  }

  /** The list's metadata and everything before its items, as a tree without items. */
  private ObjectNode shell() {
    ObjectNode list = Codec.NODES.objectNode();
    list.put("kind", kind);
    list.put("apiVersion", apiVersion);
    ObjectNode metadata = list.putObject("metadata");
    metadata.put("resourceVersion", resourceVersion);
    if (continueToken != null) {
      metadata.put("continue", continueToken);
      if (remainingItemCount >= 0) {
        metadata.put("remainingItemCount", remainingItemCount);
      }
    }
    return list;
  }

  /**
   * The list's JSON, written into one array of its exact size: a list of 10,000 pods is about 15 MB, which a
   * growing or copied-out buffer allocated two or three times over.
   */
  byte[] encode() {
    byte[] head = Codec.encode(shell());
    int size = head.length - 1 + ITEMS_START.length + Math.max(0, items.size() - 1) + 2;
    for (ByteBuf item : items) {
      size += item.readableBytes();
    }
    byte[] out = new byte[size];
    int at = 0;
    System.arraycopy(head, 0, out, at, head.length - 1); // all but the closing brace
    at += head.length - 1;
    System.arraycopy(ITEMS_START, 0, out, at, ITEMS_START.length);
    at += ITEMS_START.length;
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out[at++] = ',';
      }
      ByteBuf item = items.get(i);
      int length = item.readableBytes();
      item.getBytes(item.readerIndex(), out, at, length);
      at += length;
    }
    out[at++] = ']';
    out[at] = '}';
    release();
    return out;
  }

  private void release() {
    items.forEach(ByteBuf::release);
    items.clear();
  }

  /** The list as a tree, for those that look into the items (tables, deletecollection). */
  ObjectNode tree() {
    ObjectNode list = shell();
    ArrayNode array = list.putArray("items");
    try {
      for (ByteBuf item : items) {
        array.add(Codec.parseStored(ByteBufUtil.getBytes(item)));
      }
    } finally {
      release();
    }
    return list;
  }
}
