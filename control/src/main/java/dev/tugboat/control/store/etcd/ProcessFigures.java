package dev.tugboat.control.store.etcd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * This process's figures as Prometheus' Go client reports them for every Go program, etcd included ({@code process_*}):
 * read from {@code /proc/self} at the moment of the scrape. A figure this machine cannot give is -1, and left out.
 */
public record ProcessFigures(long residentBytes, long virtualBytes, double cpuSeconds, long openFds, long maxFds,
                             double startTimeSeconds) {

  private static final Path PROC_SELF = Path.of("/proc/self");

  /** The figures now. */
  public static ProcessFigures read() {
    ProcessHandle.Info info = ProcessHandle.current().info();
    List<String> status = lines(PROC_SELF.resolve("status"));
    return new ProcessFigures(statusKilobytes(status, "VmRSS:") * 1024, statusKilobytes(status, "VmSize:") * 1024,
        info.totalCpuDuration().map(ProcessFigures::seconds).orElse(-1.0), countOpenFds(),
        maxOpenFiles(lines(PROC_SELF.resolve("limits"))),
        info.startInstant().map(ProcessFigures::seconds).orElse(-1.0));
  }

  /** The kilobytes of a {@code /proc/self/status} line such as {@code VmRSS:   1234 kB}, or -1 without one. */
  static long statusKilobytes(List<String> status, String field) {
    for (String line : status) {
      if (line.startsWith(field)) {
        String[] words = line.substring(field.length()).strip().split("\\s+");
        try {
          return Long.parseLong(words[0]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  /** The soft limit of {@code Max open files} in {@code /proc/self/limits} ("unlimited" and unknown give -1). */
  static long maxOpenFiles(List<String> limits) {
    for (String line : limits) {
      if (line.startsWith("Max open files")) {
        String[] words = line.substring("Max open files".length()).strip().split("\\s+");
        try {
          return Long.parseLong(words[0]);
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }

  private static long countOpenFds() {
    try (Stream<Path> fds = Files.list(PROC_SELF.resolve("fd"))) {
      // the directory stream itself holds one descriptor while it is listed
      return fds.count() - 1;
    } catch (IOException | java.io.UncheckedIOException e) {
      return -1;
    }
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      return List.of();
    }
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static double seconds(Instant i) {
    return i.getEpochSecond() + i.getNano() / 1e9;
  }
}
