package dev.tugboat.control.store;

import java.util.List;

/**
 * Receives a watch's events in revision order, each revision's events together, on one thread per watch at a time.
 * Exactly one of {@link #onCompacted} or {@link #onClosed} ends the stream, unless the watcher cancels it.
 */
public interface WatchListener {

  void onEvents(long revision, List<WatchEvent> events);

  /** Nothing in the range changed up to {@code revision}. */
  default void onProgress(long revision) {}

  /** The start revision was compacted away; the watcher must re-list at or after {@code compactRevision}. */
  void onCompacted(long compactRevision);

  /** The store closed the watch (shutdown, lost leadership...); {@code cause} says why. */
  void onClosed(Throwable cause);
}
