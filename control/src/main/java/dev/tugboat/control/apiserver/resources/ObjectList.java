package dev.tugboat.control.apiserver.resources;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A list response ({@code PodList} and the like) whose items are already encoded JSON objects, from the watch cache
 * or the store: {@link #encode()} writes them out as they are, without a tree of the whole list.
 */
final class ObjectList {

  private static final byte[] ITEMS_START = ",\"items\":[".getBytes(StandardCharsets.US_ASCII);
  private final String kind;
  private final String apiVersion;
  private final List<byte[]> items = new ArrayList<>();
  private String resourceVersion = "";
  private String continueToken;
  private long remainingItemCount = -1;

  ObjectList(String kind, String apiVersion) {
    this.kind = kind;
    this.apiVersion = apiVersion;
  }

  void add(byte[] itemJson) {
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
    for (byte[] item : items) {
      size += item.length;
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
      byte[] item = items.get(i);
      System.arraycopy(item, 0, out, at, item.length);
      at += item.length;
    }
    out[at++] = ']';
    out[at] = '}';
    return out;
  }

  /** The list as a tree, for those that look into the items (tables, deletecollection). */
  ObjectNode tree() {
    ObjectNode list = shell();
    ArrayNode array = list.putArray("items");
    for (byte[] item : items) {
      array.add(Codec.parseStored(item));
    }
    return list;
  }
}
