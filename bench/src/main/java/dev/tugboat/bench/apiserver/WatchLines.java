package dev.tugboat.bench.apiserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The events of a watch stream, one line of JSON each, out of DATA frames that may cut a line (or a UTF-8 character)
 * anywhere: the bytes of a cut line are kept until its newline arrives. Lines are handed on as bytes, never decoded:
 * 100 watchers receive a million events of about 1 KiB in the bench, on the 2 cores the server needs, and a String
 * per event was a GiB of garbage a round whose collections stalled every watcher at once.
 */
final class WatchLines {
  /** Holds a watch event that the first cut lands in; grows for a longer one. */
  private static final int CUT_LINE_BYTES = 4096;

  /** Receives each whole line. */
  interface LineConsumer {
    /**
     * The line is {@code bytes[from, to)}, without its newline; the bytes are valid only during the call (they are
     * the frame's, or a buffer reused for the next cut line).
     */
    void accept(ByteBuf bytes, int from, int to);
  }

  private final ByteBuf partial = Unpooled.buffer(CUT_LINE_BYTES);
  private final LineConsumer onLine;

  WatchLines(LineConsumer onLine) {
    this.onLine = onLine;
  }

  /**
   * Reads {@code bytes} whole, handing on every line it completes. A line that lies within {@code bytes} is handed on
   * in place; only the start of a line cut by the frame's end is copied.
   */
  void accept(ByteBuf bytes) {
    while (bytes.isReadable()) {
      int start = bytes.readerIndex();
      int newline = bytes.indexOf(start, bytes.writerIndex(), (byte) '\n');
      if (newline < 0) {
        partial.writeBytes(bytes);
        return;
      }
      bytes.readerIndex(newline + 1);
      if (!partial.isReadable()) {
        onLine.accept(bytes, start, newline);
        continue;
      }
      partial.writeBytes(bytes, start, newline - start);
      try {
        onLine.accept(partial, partial.readerIndex(), partial.writerIndex());
      } finally {
        partial.clear();
      }
    }
  }
}
