package dev.tugboat.bench.apiserver;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CountDownLatch;

/**
 * What one watcher received: when each bench pod's ADDED event arrived and the send time it carried, in arrays
 * indexed by the pod's number. One watcher's stream is read on one event loop, so these are written by one thread
 * and read by the bench after {@code allSeen} (which orders the writes before the reads): no lock and no shared map
 * on the path every event takes, as the synchronized block and the map of names it replaces were, on the cores the
 * server's fan-out needs.
 */
final class WatcherDeliveries implements WatchLines.LineConsumer {
  private final AddedPodEvent event = new AddedPodEvent();
  private final long[] sentNanos;
  private final long[] arrivedNanos;
  private final boolean[] seen;
  private final CountDownLatch allSeen;
  private int count;

  /** A watcher of pods {@code w0} to {@code w<pods - 1>}, counting {@code allSeen} down once it has seen them all. */
  WatcherDeliveries(int pods, CountDownLatch allSeen) {
    this.sentNanos = new long[pods];
    this.arrivedNanos = new long[pods];
    this.seen = new boolean[pods];
    this.allSeen = allSeen;
  }

  /**
   * Times one event as its line arrives, before anything else reads it.
   *
   * @throws IllegalStateException for a malformed event, a pod outside the run, or a pod seen a second time
   */
  @Override
  public void accept(ByteBuf line, int from, int to) {
    long now = System.nanoTime();
    if (!event.read(line, from, to)) {
      return;
    }
    int pod = event.podNumber();
    if (pod >= seen.length) {
      throw new IllegalStateException("watcher saw pod w" + pod + ", but the run creates w0 to w" + (seen.length - 1));
    }
    if (seen[pod]) {
      throw new IllegalStateException("watcher saw the ADDED event of pod w" + pod + " twice");
    }
    seen[pod] = true;
    sentNanos[pod] = event.sentNanos();
    arrivedNanos[pod] = now;
    if (++count == seen.length) {
      allSeen.countDown();
    }
  }

  /** How many of the run's pods this watcher has seen; exact once {@code allSeen} is reached, a hint before. */
  int count() {
    return count;
  }

  /** The first pod this watcher has not seen, or -1; for an error, once the run has given up waiting. */
  int firstMissing() {
    for (int pod = 0; pod < seen.length; pod++) {
      if (!seen[pod]) {
        return pod;
      }
    }
    return -1;
  }

  boolean saw(int pod) {
    return seen[pod];
  }

  long sentNanos(int pod) {
    return sentNanos[pod];
  }

  long arrivedNanos(int pod) {
    return arrivedNanos[pod];
  }
}
