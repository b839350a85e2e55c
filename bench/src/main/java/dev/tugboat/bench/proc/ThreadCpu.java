package dev.tugboat.bench.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * CPU time of each thread of a live process, from /proc/PID/task: which of a JVM's threads (its event loops, its JIT
 * compiler, its GC) a run of work cost. Linux keeps the first 15 characters of a thread's name.
 */
public final class ThreadCpu {
  /** One thread's name and the CPU it has used so far, user and system together. */
  public record Thread(String name, double milliseconds) {}

  private ThreadCpu() {}

  /** The threads of process {@code pid}, by thread id. */
  public static Map<String, Thread> threads(long pid) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    Map<String, Thread> threads = new HashMap<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
      for (Path task : all) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException exited) {
          continue;
        }
        threads.put(task.getFileName().toString(), new Thread(nameOfStat(stat), ProcessCpu.millisecondsOfStat(stat)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read the threads of " + tasks, e);
    }
    return threads;
  }

  /**
   * The CPU used from {@code before} to {@code after}, summed over the threads of one kind: a name without its numbers
   * ("GC Thread#0" and "GC Thread#1" are "GC Thread"). A thread that exited in between is left out.
   */
  public static Map<String, Double> usedByKind(Map<String, Thread> before, Map<String, Thread> after) {
    Map<String, Double> used = new TreeMap<>();
    after.forEach((id, thread) -> {
      Thread was = before.get(id);
      double ms = thread.milliseconds() - (was == null ? 0 : was.milliseconds());
      used.merge(kind(thread.name()), ms, Double::sum);
    });
    return used;
  }

  /** "GC Thread#1", "watchers-3-2" and "C2 CompilerThre" are of the kinds "GC Thread", "watchers", "C2 CompilerThre". */
  static String kind(String name) {
    return name.replaceAll("[-#][0-9]+", "").replaceAll("[0-9]+$", "").trim();
  }

  /** {@code stat} is the text of /proc/PID/task/TID/stat; the thread's name is in its first parentheses. */
  static String nameOfStat(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    return open < 0 || close < open ? "" : stat.substring(open + 1, close);
  }
}
