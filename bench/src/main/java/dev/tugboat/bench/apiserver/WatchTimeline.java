package dev.tugboat.bench.apiserver;

import dev.tugboat.bench.report.Samples;
import java.io.PrintStream;
import java.time.Instant;
import java.util.TreeMap;

/**
 * Watch delivery latencies grouped by when their pod was sent, in windows of a fixed length from the run's first
 * send: a tail that comes in bursts (after a GC pause, at the start) shows in a few windows, one of steady overload in
 * all. A diagnostic, printed, not reported. Filled by one thread, after the run.
 */
final class WatchTimeline {
  static final long WINDOW_NANOS = 250_000_000L;
  private final long startNanos;
  private final Instant start;
  private final TreeMap<Long, Samples> windows = new TreeMap<>();

  /** Windows from {@code startNanos}, a {@link System#nanoTime()} of this JVM, printed as the time of day it was. */
  WatchTimeline(long startNanos) {
    this.startNanos = startNanos;
    this.start = Instant.now().minusNanos(System.nanoTime() - startNanos);
  }

  void add(long sentNanos, long latencyNanos) {
    windows.computeIfAbsent(Math.max(0, sentNanos - startNanos) / WINDOW_NANOS, w -> new Samples()).add(latencyNanos);
  }

  void print(PrintStream out, String run) {
    out.println("watch timeline of " + run + " from its first create, sent at " + start
        + ": window start (ms), deliveries, p50 ms, p99 ms, max ms");
    windows.forEach((window, samples) -> out.printf("%8d %7d %8.1f %8.1f %8.1f%n", window * WINDOW_NANOS / 1_000_000,
        samples.count(), samples.percentileMillis(50), samples.percentileMillis(99), samples.percentileMillis(100)));
  }
}
