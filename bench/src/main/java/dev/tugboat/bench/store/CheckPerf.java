package dev.tugboat.bench.store;

import dev.tugboat.bench.report.Figures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code etcdctl check perf} against a cluster and reads its verdict lines, and the CPU etcdctl itself used: it
 * shares the machine's cores with the members, so its CPU per write bounds the rate any store can reach here.
 */
public final class CheckPerf {
  private static final Pattern THROUGHPUT = Pattern.compile("(PASS|FAIL): Throughput (?:is|too low:) ?(\\d+) writes/s");
  private static final Pattern SLOWEST = Pattern.compile("(?:(PASS|FAIL): )?Slowest request took (?:too long: )?([\\d.]+)s");
  /** bash's {@code times}: its second line is the user and system time of the shell's children, here etcdctl. */
  private static final Pattern CHILD_TIMES = Pattern.compile("\\n(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*$");

  /** How long etcdctl check perf writes, whatever the load. */
  static final int SECONDS = 60;

  private CheckPerf() {}

  public static Figures run(List<String> endpoints, String load) throws IOException, InterruptedException {
    Path timesFile = Files.createTempFile("check-perf-times-", ".txt");
    try {
      List<String> argv = new ArrayList<>(List.of("bash", "-c",
          "etcdctl \"$@\"; status=$?; times > \"$CHECK_PERF_TIMES\"; exit $status", "etcdctl",
          "--endpoints=" + String.join(",", endpoints), "check", "perf", "--load=" + load));
      ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
      pb.environment().put("ETCDCTL_API", "3");
      pb.environment().put("CHECK_PERF_TIMES", timesFile.toString());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        return Figures.error("etcdctl check perf did not finish in 5 minutes");
      }
      Figures figures = parse(new String(out, StandardCharsets.UTF_8));
      Double cpuSeconds = childCpuSeconds(Files.readString(timesFile));
      Double writesPerSecond = figures.get("writes_per_s");
      if (cpuSeconds != null && writesPerSecond != null && writesPerSecond > 0) {
        figures.put("etcdctl_cpu_ms_per_1000_writes", Math.round(cpuSeconds * 1_000_000 / (writesPerSecond * SECONDS)));
      }
      return figures;
    } finally {
      Files.deleteIfExists(timesFile);
    }
  }

  /** User plus system seconds of the children in bash's {@code times} output; null when it is not that. */
  static Double childCpuSeconds(String times) {
    Matcher m = CHILD_TIMES.matcher(times);
    if (!m.find()) {
      return null;
    }
    return Long.parseLong(m.group(1)) * 60 + Double.parseDouble(m.group(2))
        + Long.parseLong(m.group(3)) * 60 + Double.parseDouble(m.group(4));
  }

  static Figures parse(String output) {
    Matcher t = THROUGHPUT.matcher(output);
    Matcher s = SLOWEST.matcher(output);
    if (!t.find() || !s.find()) {
      String tail = output.length() > 300 ? output.substring(output.length() - 300) : output;
      return Figures.error("etcdctl check perf printed no verdict: " + tail.replaceAll("\\s+", " ").trim());
    }
    boolean passed = output.trim().endsWith("PASS");
    return new Figures().put("writes_per_s", Long.parseLong(t.group(2)))
        .put("slowest_ms", Math.round(Double.parseDouble(s.group(2)) * 1_000_000) / 1000.0).put("passed", passed ? 1 : 0);
  }
}
