package dev.tugboat.control.apiserver.resources.watchcache;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import tools.jackson.databind.node.ObjectNode;

/** Turns one change into the bytes of a watch event ({@code {"type":"ADDED","object":{...}}}). */
public interface EventEncoder {

  /** {@code objectJson} is {@code object} already encoded as JSON. */
  byte[] encode(String type, ObjectNode object, byte[] objectJson);

  /** The plain form: the object as it is. */
  EventEncoder OBJECT = (type, object, objectJson) -> wrap(type, objectJson);

  static byte[] wrap(String type, byte[] objectJson) {
    byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + objectJson.length + 1);
    out.writeBytes(head);
    out.writeBytes(objectJson);
    out.write('}');
    return out.toByteArray();
  }
}
