package dev.tugboat.runtime.container;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Where a container run spends its time, step by step: off unless the JVM runs with {@code -Dtug.runtime.stepTimes=true},
 * then each step's durations are kept and their medians printed to stderr when the JVM exits. For finding latency,
 * never for tests (which assert no timing).
 */
final class StepTimes {
  static final boolean ON = Boolean.getBoolean("tug.runtime.stepTimes");
  private static final Map<String, List<Long>> SAMPLES = new ConcurrentSkipListMap<>();
  private static final Map<Thread, Long> LAST = new ConcurrentHashMap<>();

  static {
    if (ON) Runtime.getRuntime().addShutdownHook(new Thread(StepTimes::print));
  }

  private StepTimes() {}

  /** Starts timing on this thread. */
  static void begin() {
    if (ON) LAST.put(Thread.currentThread(), System.nanoTime());
  }

  /** Records the time since the last mark on this thread as {@code step}. */
  static void mark(String step) {
    if (!ON) return;
    long now = System.nanoTime();
    Long last = LAST.put(Thread.currentThread(), now);
    if (last != null) SAMPLES.computeIfAbsent(step, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(now - last);
  }

  /** Records a duration measured across threads (a hand-off) as {@code step}. */
  static void record(String step, long nanos) {
    if (ON) SAMPLES.computeIfAbsent(step, k -> java.util.Collections.synchronizedList(new ArrayList<>())).add(nanos);
  }

  private static void print() {
    StringBuilder out = new StringBuilder("step times (median, p90 ms):\n");
    SAMPLES.forEach((step, values) -> {
      List<Long> sorted;
      synchronized (values) {
        sorted = new ArrayList<>(values);
      }
      sorted.sort(null);
      out.append(String.format("  %-28s %8.3f %8.3f n=%d%n", step, sorted.get(sorted.size() / 2) / 1e6,
          sorted.get(sorted.size() * 9 / 10) / 1e6, sorted.size()));
    });
    System.err.print(out);
  }
}
