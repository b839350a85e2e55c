package dev.tugboat.control.apiserver;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * Where a watch's events go: one JSON watch event ({@code {"type":"ADDED","object":{...}}}) per call, written by the
 * transport as one chunk or frame. Called from one thread at a time.
 */
public interface WatchSink {

  /** Queues one event; false once the client has gone, after which the watch should stop. */
  boolean send(byte[] watchEventJson);

  /**
   * Queues one event held in {@code watchEventJson}, whose reference passes to this sink (released once written, or
   * at once when the client has gone). The watch cache hands every watcher a reference to the same bytes: a sink
   * that writes to a channel copies them straight into what it writes; this default takes them onto the heap.
   */
  default boolean send(ByteBuf watchEventJson) {
    byte[] bytes;
    try {
      bytes = ByteBufUtil.getBytes(watchEventJson);
    } finally {
      watchEventJson.release();
    }
    return send(bytes);
  }

  /** Ends the response stream (timeout reached, or the watch ended with an ERROR event already sent). */
  void close();

  /** Runs when the client goes away, so the resource layer can cancel the store watch. */
  void onClientGone(Runnable action);
}
