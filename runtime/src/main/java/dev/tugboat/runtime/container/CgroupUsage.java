package dev.tugboat.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A container cgroup's counters in the shape of runc's {@code events --stats} data (libcontainer's types.Stats:
 * {@code cpu}, {@code memory}, {@code pids}), read from the control files of cgroup v1 or v2, plus its OOM kill count
 * for runc's "oom" events. Counters whose files are missing are left out, as runc's JSON omits empty fields.
 */
public record CgroupUsage(Map<String, Object> cpu, Map<String, Object> memory, Map<String, Object> pids,
    long oomKills) {
  /** USER_HZ: cpuacct.stat counts in 1/100 s. */
  private static final long NANOS_PER_TICK = 10_000_000L;

  static CgroupUsage read(ContainerCgroup cgroup) {
    Files files = new Files(cgroup.directories());
    return files.has("cgroup.controllers") ? v2(files) : v1(files);
  }

  private static CgroupUsage v1(Files f) {
    Map<String, Object> usage = new LinkedHashMap<>();
    f.number("cpuacct.usage").ifPresent(v -> usage.put("total", v));
    f.numbers("cpuacct.usage_percpu").ifPresent(v -> usage.put("percpu", v));
    f.numbers("cpuacct.usage_percpu_sys").ifPresent(v -> usage.put("percpu_kernel", v));
    f.numbers("cpuacct.usage_percpu_user").ifPresent(v -> usage.put("percpu_user", v));
    Map<String, Long> ticks = f.keyed("cpuacct.stat");
    if (ticks.containsKey("system")) usage.put("kernel", ticks.get("system") * NANOS_PER_TICK);
    if (ticks.containsKey("user")) usage.put("user", ticks.get("user") * NANOS_PER_TICK);
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("usage", usage);
    cpu.put("throttling", throttling(f.keyed("cpu.stat"), "nr_periods", "nr_throttled", "throttled_time", 1));

    Map<String, Object> memory = new LinkedHashMap<>();
    Map<String, Long> raw = f.keyed("memory.stat");
    // runc leaves a zero cache out (omitempty).
    if (raw.getOrDefault("cache", 0L) != 0) memory.put("cache", raw.get("cache"));
    memory.put("usage", memoryData(f, "memory."));
    memory.put("swap", memoryData(f, "memory.memsw."));
    memory.put("kernel", memoryData(f, "memory.kmem."));
    memory.put("raw", raw);
    long oomKills = f.keyed("memory.oom_control").getOrDefault("oom_kill", 0L);
    return new CgroupUsage(cpu, memory, pids(f), oomKills);
  }

  private static Map<String, Object> memoryData(Files f, String prefix) {
    Map<String, Object> m = new LinkedHashMap<>();
    f.number(prefix + "limit_in_bytes").ifPresent(v -> m.put("limit", v));
    f.number(prefix + "usage_in_bytes").ifPresent(v -> m.put("usage", v));
    f.number(prefix + "max_usage_in_bytes").ifPresent(v -> m.put("max", v));
    f.number(prefix + "failcnt").ifPresent(v -> m.put("failcnt", v));
    return m;
  }

  private static CgroupUsage v2(Files f) {
    Map<String, Long> stat = f.keyed("cpu.stat");
    Map<String, Object> usage = new LinkedHashMap<>();
    if (stat.containsKey("usage_usec")) usage.put("total", stat.get("usage_usec") * 1000);
    if (stat.containsKey("system_usec")) usage.put("kernel", stat.get("system_usec") * 1000);
    if (stat.containsKey("user_usec")) usage.put("user", stat.get("user_usec") * 1000);
    Map<String, Object> cpu = new LinkedHashMap<>();
    cpu.put("usage", usage);
    cpu.put("throttling", throttling(stat, "nr_periods", "nr_throttled", "throttled_usec", 1000));

    Map<String, Object> memory = new LinkedHashMap<>();
    Map<String, Long> raw = f.keyed("memory.stat");
    if (raw.getOrDefault("file", 0L) != 0) memory.put("cache", raw.get("file"));
    Map<String, Object> m = new LinkedHashMap<>();
    f.number("memory.max").ifPresent(v -> m.put("limit", v));
    f.number("memory.current").ifPresent(v -> m.put("usage", v));
    f.number("memory.peak").ifPresent(v -> m.put("max", v));
    memory.put("usage", m);
    Map<String, Object> swap = new LinkedHashMap<>();
    f.number("memory.swap.max").ifPresent(v -> swap.put("limit", v));
    f.number("memory.swap.current").ifPresent(v -> swap.put("usage", v));
    memory.put("swap", swap);
    memory.put("raw", raw);
    long oomKills = f.keyed("memory.events").getOrDefault("oom_kill", 0L);
    return new CgroupUsage(cpu, memory, pids(f), oomKills);
  }

  private static Map<String, Object> throttling(Map<String, Long> stat, String periods, String throttled,
      String time, long timeScale) {
    Map<String, Object> t = new LinkedHashMap<>();
    // runc leaves zero counters out (omitempty), so an unthrottled container shows {}.
    if (stat.getOrDefault(periods, 0L) != 0) t.put("periods", stat.get(periods));
    if (stat.getOrDefault(throttled, 0L) != 0) t.put("throttled_periods", stat.get(throttled));
    if (stat.getOrDefault(time, 0L) != 0) t.put("throttled_time", stat.get(time) * timeScale);
    return t;
  }

  private static Map<String, Object> pids(Files f) {
    Map<String, Object> p = new LinkedHashMap<>();
    f.number("pids.current").ifPresent(v -> p.put("current", v));
    f.number("pids.max").ifPresent(v -> p.put("limit", v));
    return p;
  }

  /** The control files of one cgroup, spread over its directories (one per v1 hierarchy). */
  private record Files(List<Path> directories) {
    boolean has(String name) {
      return file(name).isPresent();
    }

    Optional<Path> file(String name) {
      return directories.stream().map(d -> d.resolve(name)).filter(java.nio.file.Files::exists).findFirst();
    }

    Optional<String> text(String name) {
      return file(name).flatMap(p -> {
        try {
          return Optional.of(java.nio.file.Files.readString(p).trim());
        } catch (IOException removed) {
          return Optional.empty();
        }
      });
    }

    /** A number; "max" (unlimited) and unreadable files are left out. */
    Optional<Long> number(String name) {
      return text(name).filter(t -> !t.isEmpty() && !t.equals("max")).flatMap(t -> {
        try {
          return Optional.of(Long.parseLong(t));
        } catch (NumberFormatException notANumber) {
          return Optional.empty();
        }
      });
    }

    Optional<List<Long>> numbers(String name) {
      return text(name).map(t -> {
        List<Long> values = new ArrayList<>();
        for (String v : t.split("\\s+")) if (!v.isEmpty()) values.add(Long.parseLong(v));
        return values;
      });
    }

    /** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.oom_control). */
    Map<String, Long> keyed(String name) {
      Map<String, Long> values = new java.util.TreeMap<>();
      text(name).ifPresent(t -> {
        for (String line : t.split("\n")) {
          String[] kv = line.trim().split("\\s+");
          if (kv.length != 2) continue;
          try {
            values.put(kv[0], Long.parseLong(kv[1]));
          } catch (NumberFormatException notANumber) {
            // a non-numeric entry
          }
        }
      });
      return values;
    }
  }
}
