package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.CgroupUsage;
import dev.tugboat.runtime.container.ContainerException;
import dev.tugboat.runtime.container.ContainerNotFoundException;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.OomWatch;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import tools.jackson.databind.ObjectMapper;

/**
 * runc events: with --stats one {"type":"stats","id":...,"data":{...}} line; otherwise a stats line every --interval
 * and an {"type":"oom","id":...} line as soon as the kernel tells that the container's cgroup ran out of memory (see
 * {@link OomWatch}), until the container is deleted.
 */
@Command(name = "events", description = "print container stats and OOM events as JSON lines")
final class EventsCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  @ParentCommand RuntimeCommand runtime;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Option(names = "--stats", description = "print the stats once and exit") boolean stats;
  @Option(names = "--interval", description = "time between stats lines, as Go writes durations (default ${DEFAULT-VALUE})")
  String interval = "5s";

  @Override
  public Integer call() throws InterruptedException {
    Duration every = duration(interval);
    PrintWriter out = spec.commandLine().getOut();
    try (ContainerRuntime r = runtime.open()) {
      if (stats) {
        out.println(stats(r.usage(id)));
        out.flush();
        return 0;
      }
      OomWatch oom = null;
      try {
        while (true) {
          CgroupUsage usage;
          try {
            usage = r.usage(id);
            if (oom == null) oom = r.watchOom(id);
          } catch (ContainerNotFoundException deleted) {
            return 0;
          } catch (ContainerException noCgroupAnyMore) {
            // deleted between the check and the read, or no cgroup at all: wait for the delete
            Thread.sleep(every.toMillis());
            continue;
          }
          out.println(stats(usage));
          out.flush();
          // Until the next stats line, an OOM is told as the kernel tells it.
          long next = System.nanoTime() + every.toNanos();
          for (long left; (left = next - System.nanoTime()) > 0; ) {
            if (oom.await(Duration.ofNanos(left)) > 0) {
              out.println(event("oom", null));
              out.flush();
            }
            if (oom.gone()) break;
          }
        }
      } finally {
        if (oom != null) oom.close();
      }
    }
  }

  private String stats(CgroupUsage usage) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("cpu", usage.cpu());
    data.put("memory", usage.memory());
    data.put("pids", usage.pids());
    return event("stats", data);
  }

  private String event(String type, Object data) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", type);
    e.put("id", id);
    if (data != null) e.put("data", data);
    return JSON.writeValueAsString(e);
  }

  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text);
    if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
      throw new IllegalArgumentException("--interval: expected a positive duration like 5s or 100ms, got \"" + text + "\"");
    }
    double v = Double.parseDouble(m.group(1));
    double nanos = switch (m.group(2)) {
      case "ns" -> v;
      case "us", "µs" -> v * 1e3;
      case "ms" -> v * 1e6;
      case "s" -> v * 1e9;
      case "m" -> v * 60e9;
      default -> v * 3600e9;
    };
    return Duration.ofNanos((long) nanos);
  }
}
