package dev.tugboat.control.apiserver.resources;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A list response ({@code PodList} and the like) whose items are already encoded JSON objects, from the watch cache
 * or the store: {@link #encode()} writes them out as they are, without a tree of the whole list.
 */
final class ObjectList {

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

  byte[] encode() {
    byte[] head = Codec.encode(shell());
    int size = head.length + 12;
    for (byte[] item : items) {
      size += item.length + 1;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write(head, 0, head.length - 1); // all but the closing brace
    out.writeBytes(",\"items\":[".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    for (int i = 0; i < items.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(items.get(i));
    }
    out.write(']');
    out.write('}');
    return out.toByteArray();
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
