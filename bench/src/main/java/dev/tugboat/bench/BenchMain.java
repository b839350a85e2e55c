package dev.tugboat.bench;

import dev.tugboat.bench.apiserver.ApiServerBench;
import dev.tugboat.bench.report.BenchReport;
import dev.tugboat.bench.runtime.RuntimeBench;
import dev.tugboat.bench.store.StoreBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tug bench PART|all}: runs side-by-side benchmarks and writes bench/results/PART.json. */
@Command(name = "tug bench", mixinStandardHelpOptions = true,
    description = "Runs Tugboat and its references on the same work in one run; writes bench/results/PART.json.")
public final class BenchMain implements Callable<Integer> {

  @Parameters(index = "0", description = "runtime, store, apiserver or all")
  String part;

  @Option(names = "--results", description = "directory for the JSON results (default: bench/results)")
  Path results;

  @Option(names = "--keys", description = "keys loaded for the store memory case (default: ${DEFAULT-VALUE})")
  int keys = 1_000_000;

  @Option(names = "--cases", split = ",",
      description = "cases to run (default: all): store perf, puts, floor, memory; runtime sequential, many; apiserver create, list, "
          + "watch, memory")
  java.util.Set<String> cases;

  @Option(names = "--runs", description = "sequential runs per runtime (default: ${DEFAULT-VALUE})")
  int runs = 200;

  @Option(names = "--warmup", description = "runtime: unmeasured runs of each runtime first (default: ${DEFAULT-VALUE})")
  int warmup = 100;

  @Option(names = "--pods", description = "pods for the API server cases (default: ${DEFAULT-VALUE})")
  int pods = 10_000;

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path home = Path.of(System.getProperty("tug.home", ".")).toAbsolutePath().normalize();
    Path out = results != null ? results : home.resolve("bench/results");
    List<BenchPart> parts = new ArrayList<>();
    for (BenchPart p : List.<BenchPart>of(new RuntimeBench(runs, warmup, cases == null ? RuntimeBench.CASES : cases),
        new StoreBench(home, keys, cases == null ? StoreBench.CASES : cases), new ApiServerBench(home, pods,
        cases == null ? ApiServerBench.CASES : cases))) {
      if (part.equals("all") || part.equals(p.name())) {
        parts.add(p);
      }
    }
    if (parts.isEmpty()) {
      System.err.println("tug bench: unknown part \"" + part + "\" (known: runtime, store, apiserver, all)");
      return 2;
    }
    for (BenchPart p : parts) {
      BenchReport report = new BenchReport(p.name(), "make bench-" + p.name());
      Path scratch = Files.createTempDirectory("tug-bench-" + p.name());
      try {
        p.run(report, scratch);
      } finally {
        removeScratch(scratch);
      }
      report.printTable(System.out);
      System.out.println("wrote " + report.write(out));
    }
    return 0;
  }

  /**
   * A store run leaves gigabytes of logs and values here. A mount still under it (a run that failed halfway) would
   * make a recursive delete reach into the mounted files, so then the directory is kept and named instead.
   */
  public static void removeScratch(Path scratch) throws IOException {
    String prefix = scratch.toRealPath() + "/";
    try (Stream<String> mounts = Files.lines(Path.of("/proc/self/mountinfo"))) {
      if (mounts.map(line -> line.split(" ")[4]).anyMatch(point -> point.startsWith(prefix))) {
        System.err.println("tug bench: kept " + scratch + ": something is still mounted under it");
        return;
      }
    }
    try (Stream<Path> files = Files.walk(scratch)) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
