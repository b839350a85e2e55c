package dev.tugboat.bench.runtime;

import dev.tugboat.bench.BenchPart;
import dev.tugboat.bench.report.BenchCase;
import dev.tugboat.bench.report.BenchReport;
import dev.tugboat.bench.report.Figures;
import dev.tugboat.bench.report.Samples;
import dev.tugboat.runtime.container.ContainerRuntime;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Run-to-exit latency of a busybox {@code true} container on the same bundle (pid, mount, uts, ipc and net namespaces,
 * pivot_root, /proc, memory and pids limits): Tugboat from a warm JVM against {@code crun run} and {@code runc run},
 * alternating run by run so that machine noise falls on all three alike.
 */
public final class RuntimeBench implements BenchPart {
  private static final int MANY = 100;
  /** Sequential run-to-exit, and many sleeping containers started at once. */
  public static final Set<String> CASES = Set.of("sequential", "many");
  private final int runs;
  private final int warmup;
  private final Set<String> cases;

  /**
   * @param warmup runs of each subject before the measured ones, alternating as they do: a warm JVM is the premise,
   *     which takes JIT compilation of the start path (a method is compiled after some hundred calls), and the same
   *     runs warm crun's and runc's files and the kernel's caches alike
   */
  public RuntimeBench(int runs, int warmup, Set<String> cases) {
    this.runs = runs;
    this.warmup = warmup;
    this.cases = cases;
  }

  @Override
  public String name() {
    return "runtime";
  }

  /** One way to run the bundle to exit; returns elapsed nanoseconds. */
  interface Subject {
    long runToExit(Path bundle, String id) throws Exception;
  }

  @Override
  public void run(BenchReport report, Path scratch) throws Exception {
    Path rootfs = BusyboxBundle.rootfs(scratch.resolve("rootfs"));
    // Unique per run, so two benchmark runs on one machine never share a cgroup.
    String cgroupPrefix = "/tugboat/" + scratch.getFileName() + "-";
    Map<String, Path> bundles = new LinkedHashMap<>();
    for (String name : List.of("tugboat", "crun", "runc")) {
      bundles.put(name, BusyboxBundle.create(scratch.resolve("bundle-" + name), rootfs, List.of("/bin/true"),
          64L << 20, 64, cgroupPrefix + name));
    }
    try (ReferenceRuntime references = new ReferenceRuntime();
         ContainerRuntime tugboat = TugboatSubject.runtime(scratch.resolve("tugboat-root"))) {
      if (cases.contains("sequential")) {
        BenchCase c = report.addCase("run-to-exit busybox true, " + runs + " sequential");
        Map<String, Subject> subjects = new LinkedHashMap<>();
        subjects.put("tugboat", TugboatSubject.create(tugboat));
        subjects.put("crun", (b, id) -> references.run("crun", b, id));
        subjects.put("runc", (b, id) -> references.run("runc", b, id));
        measureAlternating(subjects, bundles, c);
        c.ratio("tugboat", "p50_ms", "crun", "p50_ms").ratio("tugboat", "p99_ms", "crun", "p50_ms")
            .ratio("tugboat", "p50_ms", "runc", "p50_ms")
            .target("tugboat_p50_over_crun_p50 <= 0.333");
        report.addCase("run-to-exit busybox true: Tugboat p99 below crun p50")
            .subject("tugboat", c.subjects().get("tugboat")).subject("crun", c.subjects().get("crun"))
            .target("tugboat.p99_ms < crun.p50_ms");
      }
      if (cases.contains("many")) {
        List<String> sleep = List.of("/bin/sleep", "60");
        Path sleeper = BusyboxBundle.create(scratch.resolve("sleeper"), rootfs, sleep, 64L << 20, 64, null);
        Path conmonSleeper = BusyboxBundle.create(scratch.resolve("sleeper-conmon"), rootfs, sleep, 64L << 20, 64,
            cgroupPrefix + "conmon");
        List<Path> crunSleepers = new ArrayList<>();
        for (int i = 0; i < MANY; i++) {
          crunSleepers.add(BusyboxBundle.create(scratch.resolve("sleeper-crun-" + i), rootfs, sleep, 64L << 20, 64,
              cgroupPrefix + "crun-" + i));
        }
        BenchCase many = report.addCase(MANY + " containers of sleep 60 started at once (8 starting at a time)");
        ManyContainersBench.run(many, tugboat, references, sleeper, conmonSleeper, crunSleepers, scratch, MANY);
        many.ratio("tugboat", "per_container_mb", "conmon", "per_container_mb").target("tugboat.per_container_mb < 1");
      }
    }
  }

  private void measureAlternating(Map<String, Subject> subjects, Map<String, Path> bundles, BenchCase c) {
    Map<String, Samples> samples = new LinkedHashMap<>();
    Map<String, String> failed = new LinkedHashMap<>();
    subjects.keySet().forEach(name -> samples.put(name, new Samples()));
    for (int i = 0; i < warmup + runs; i++) {
      for (Map.Entry<String, Subject> s : subjects.entrySet()) {
        String name = s.getKey();
        if (failed.containsKey(name)) {
          continue;
        }
        try {
          long nanos = s.getValue().runToExit(bundles.get(name), "bench-" + name + "-" + i);
          if (i >= warmup) {
            samples.get(name).add(nanos);
          }
        } catch (Exception e) {
          failed.put(name, name + ": " + e.getMessage());
        }
      }
    }
    for (String name : subjects.keySet()) {
      c.subject(name, failed.containsKey(name) ? Figures.error(failed.get(name)) : samples.get(name).figures());
    }
  }
}
