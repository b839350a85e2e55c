package dev.tugboat.control.apiserver.transport;

/**
 * When a stream's next write may go out: at once after a quiet spell (no write in the last interval), else at the
 * next tick of a clock that ticks once per interval. The ticks are the same for every stream on one clock, so the
 * paced writes of all the watches on one event loop fall due together and are made in one wakeup: with a deadline of
 * its own per stream, 50 watches of a busy resource on one loop woke it thousands of times a second, a timer to arm
 * each time. Between two writes of a stream there is at most one tick, so at most one interval's latency is added.
 * Pure: the caller passes the clock's time. The last write's time is written by one thread and read by another.
 */
final class FlushPacing {
  private final long intervalNanos;
  private volatile long lastFlushNanos;
  private volatile boolean flushedOnce;

  /** {@code intervalNanos} 0 or less: no pacing, every write may go at once. */
  FlushPacing(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** How long a write asked for at {@code nowNanos} should wait; 0: go now. */
  long waitBeforeFlush(long nowNanos) {
    // differences only: a clock's nanoseconds may be negative or wrap
    if (intervalNanos <= 0 || !flushedOnce || nowNanos - lastFlushNanos >= intervalNanos) {
      return 0;
    }
    return intervalNanos - Math.floorMod(nowNanos, intervalNanos);
  }

  /** A write went out at {@code nowNanos}. */
  void flushed(long nowNanos) {
    lastFlushNanos = nowNanos;
    flushedOnce = true;
  }
}
