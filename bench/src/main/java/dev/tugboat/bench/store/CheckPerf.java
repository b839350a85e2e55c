package dev.tugboat.bench.store;

import dev.tugboat.bench.report.Figures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs {@code etcdctl check perf} against a cluster and reads its verdict lines. */
public final class CheckPerf {
  private static final Pattern THROUGHPUT = Pattern.compile("(PASS|FAIL): Throughput (?:is|too low:) ?(\\d+) writes/s");
  private static final Pattern SLOWEST = Pattern.compile("(?:(PASS|FAIL): )?Slowest request took (?:too long: )?([\\d.]+)s");

  /** How long etcdctl check perf writes, whatever the load. */
  static final int SECONDS = 60;

  private CheckPerf() {}

  public static Figures run(List<String> endpoints, String load) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of("etcdctl", "--endpoints=" + String.join(",", endpoints),
        "check", "perf", "--load=" + load));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("ETCDCTL_API", "3");
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return Figures.error("etcdctl check perf did not finish in 5 minutes");
    }
    return parse(new String(out, StandardCharsets.UTF_8));
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
