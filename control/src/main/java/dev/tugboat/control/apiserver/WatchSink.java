package dev.tugboat.control.apiserver;

/**
 * Where a watch's events go: one JSON watch event ({@code {"type":"ADDED","object":{...}}}) per call, written by the
 * transport as one chunk or frame. Called from one thread at a time.
 */
public interface WatchSink {

  /** Queues one event; false once the client has gone, after which the watch should stop. */
  boolean send(byte[] watchEventJson);

  /** Ends the response stream (timeout reached, or the watch ended with an ERROR event already sent). */
  void close();

  /** Runs when the client goes away, so the resource layer can cancel the store watch. */
  void onClientGone(Runnable action);
}
