package dev.tugboat.control.apiserver.resources.watchcache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
    byte[] head = head(type);
    ByteArrayOutputStream out = new ByteArrayOutputStream(head.length + objectJson.length + 1);
    out.writeBytes(head);
    out.writeBytes(objectJson);
    out.write('}');
    return out.toByteArray();
  }

  /**
   * The plain form into a direct buffer of its exact size, ended by a newline (the line a watch writes), holding one
   * reference, the caller's: built once per change and shared by every watcher that sees it so.
   */
  static ByteBuf wrapLine(String type, ByteBuf objectJson, ByteBufAllocator allocator) {
    byte[] head = head(type);
    int size = head.length + objectJson.readableBytes() + 2;
    ByteBuf line = allocator.directBuffer(size, size);
    line.writeBytes(head);
    line.writeBytes(objectJson, objectJson.readerIndex(), objectJson.readableBytes());
    line.writeByte('}');
    line.writeByte('\n');
    return line;
  }

  private static byte[] head(String type) {
    return ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.US_ASCII);
  }
}
