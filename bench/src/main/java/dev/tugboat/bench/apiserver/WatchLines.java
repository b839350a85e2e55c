package dev.tugboat.bench.apiserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The events of a watch stream, one line of JSON each, out of DATA frames that may cut a line (or a UTF-8 character)
 * anywhere: the bytes of a cut line are kept until its newline arrives.
 */
final class WatchLines {
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private final Consumer<String> onLine;

  WatchLines(Consumer<String> onLine) {
    this.onLine = onLine;
  }

  /** Reads {@code bytes} whole, handing on every line it completes, without its newline. */
  void accept(ByteBuf bytes) {
    while (bytes.isReadable()) {
      int newline = bytes.indexOf(bytes.readerIndex(), bytes.writerIndex(), (byte) '\n');
      if (newline < 0) {
        partial.writeBytes(ByteBufUtil.getBytes(bytes));
        bytes.readerIndex(bytes.writerIndex());
        return;
      }
      partial.writeBytes(ByteBufUtil.getBytes(bytes, bytes.readerIndex(), newline - bytes.readerIndex()));
      bytes.readerIndex(newline + 1);
      onLine.accept(partial.toString(StandardCharsets.UTF_8));
      partial.reset();
    }
  }
}
