package dev.tugboat.bench.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The results of one part, written as {@code bench/results/PART.json} in the format of shared/BENCH.md. */
public final class BenchReport {
  private static final ObjectMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final String part;
  private final String command;
  private final Instant when = Instant.now().truncatedTo(ChronoUnit.SECONDS);
  private final List<BenchCase> cases = new ArrayList<>();

  public BenchReport(String part, String command) {
    this.part = part;
    this.command = command;
  }

  public BenchCase addCase(String name) {
    BenchCase c = new BenchCase(name);
    cases.add(c);
    return c;
  }

  public static String machine() {
    return Runtime.getRuntime().availableProcessors() + " cores, Linux " + System.getProperty("os.version")
        + ", Java " + System.getProperty("java.version");
  }

  public ObjectNode toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("part", part);
    root.put("when", when.toString());
    root.put("machine", machine());
    root.put("command", command);
    var array = root.putArray("cases");
    for (BenchCase c : cases) {
      ObjectNode node = array.addObject();
      node.put("case", c.name());
      ObjectNode subjects = node.putObject("subjects");
      c.subjects().forEach((name, figures) -> {
        ObjectNode s = subjects.putObject(name);
        if (figures.error() != null) {
          s.put("error", figures.error());
        }
        figures.values().forEach((k, v) -> putNumber(s, k, v));
      });
      ObjectNode ratios = node.putObject("ratios");
      c.ratios().forEach(ratios::put);
      if (c.target() != null) {
        node.put("target", c.target().expression());
        Boolean met = c.met();
        if (met == null) {
          node.putNull("met");
        } else {
          node.put("met", met);
        }
      }
    }
    return root;
  }

  private static void putNumber(ObjectNode node, String key, Number v) {
    if (v instanceof Integer || v instanceof Long) {
      node.put(key, v.longValue());
    } else {
      node.put(key, v.doubleValue());
    }
  }

  public Path write(Path resultsDir) throws IOException {
    Files.createDirectories(resultsDir);
    Path file = resultsDir.resolve(part + ".json");
    Files.writeString(file, JSON.writeValueAsString(toJson()) + "\n");
    return file;
  }

  /** A short table: one line per subject with its figures, then each case's ratios and whether the target was met. */
  public void printTable(PrintStream out) {
    out.println("== " + part + " (" + machine() + ")");
    for (BenchCase c : cases) {
      out.println(c.name());
      for (Map.Entry<String, Figures> e : c.subjects().entrySet()) {
        Figures f = e.getValue();
        out.printf("  %-10s %s%n", e.getKey(), f.error() != null ? "error: " + f.error() : f.values().toString());
      }
      if (!c.ratios().isEmpty()) {
        out.println("  ratios     " + c.ratios());
      }
      if (c.target() != null) {
        out.println("  target     " + c.target().expression() + " -> " + (c.met() == null ? "not judged" : c.met() ? "met" : "NOT met"));
      }
    }
  }
}
