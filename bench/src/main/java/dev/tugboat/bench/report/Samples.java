package dev.tugboat.bench.report;

import java.util.Arrays;

/** Latency samples of one subject in one case, in nanoseconds; reports nearest-rank percentiles in milliseconds. */
public final class Samples {
  private long[] nanos = new long[64];
  private int count;

  public void add(long elapsedNanos) {
    if (count == nanos.length) {
      nanos = Arrays.copyOf(nanos, count * 2);
    }
    nanos[count++] = elapsedNanos;
  }

  public void addAll(Samples other) {
    for (int i = 0; i < other.count; i++) {
      add(other.nanos[i]);
    }
  }

  public int count() {
    return count;
  }

  /** Nearest-rank percentile: the smallest sample with at least {@code p} percent of samples at or below it. */
  public double percentileMillis(double p) {
    if (count == 0) {
      throw new IllegalStateException("no samples");
    }
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * count);
    return sorted[Math.max(0, rank - 1)] / 1e6;
  }

  /** The figures BENCH.md asks for: p50_ms, p99_ms and n. */
  public Figures figures() {
    return new Figures().put("p50_ms", round(percentileMillis(50))).put("p99_ms", round(percentileMillis(99)))
        .put("n", count);
  }

  static double round(double value) {
    return Math.round(value * 1000.0) / 1000.0;
  }
}
