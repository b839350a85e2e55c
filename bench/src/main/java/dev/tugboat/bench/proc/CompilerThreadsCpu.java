package dev.tugboat.bench.proc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time a HotSpot JVM's JIT compiler threads used, from /proc/PID/task: how much compiling a run of work cost,
 * whatever else shares the machine. CompilationMXBean's total compilation time is elapsed time, which on 2 loaded
 * cores counts the compiler's waits in the run queue too, so it stayed high round after round of a warm-up whose
 * compiler had little left to do.
 *
 * <p>HotSpot names these threads "C1 CompilerThreadN" and "C2 CompilerThreadN" (Linux keeps 15 characters of a
 * thread's name). With UseDynamicNumberOfCompilerThreads (the default) an idle extra compiler thread may exit, and
 * the CPU it used since the last reading is lost with it; the first thread of each compiler never exits.
 */
public final class CompilerThreadsCpu {
  private static final String COMPILER_THREAD_SUFFIX = " CompilerThre";
  private final Path tasks;
  private Map<String, Double> last;

  private CompilerThreadsCpu(Path tasks) {
    this.tasks = tasks;
    this.last = read();
  }

  /** Counts from now for the process {@code pid}. */
  public static CompilerThreadsCpu of(long pid) {
    return new CompilerThreadsCpu(Path.of("/proc", Long.toString(pid), "task"));
  }

  /** Milliseconds of CPU the compiler threads used since the last call, or since {@link #of}. */
  public double millisecondsSinceLast() {
    Map<String, Double> now = read();
    double used = 0;
    for (Map.Entry<String, Double> thread : now.entrySet()) {
      used += thread.getValue() - last.getOrDefault(thread.getKey(), 0.0);
    }
    last = now;
    return used;
  }

  /** Each compiler thread's CPU so far, by thread id. */
  private Map<String, Double> read() {
    Map<String, Double> threads = new HashMap<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(tasks)) {
      for (Path task : all) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (NoSuchFileException exited) {
          continue;
        }
        if (isCompilerThread(stat)) {
          threads.put(task.getFileName().toString(), ProcessCpu.millisecondsOfStat(stat));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("read the threads of " + tasks, e);
    }
    return threads;
  }

  /** {@code stat} is the text of /proc/PID/task/TID/stat; its thread name is in the first parentheses. */
  static boolean isCompilerThread(String stat) {
    int open = stat.indexOf('(');
    int close = stat.lastIndexOf(')');
    if (open < 0 || close < open) {
      return false;
    }
    String name = stat.substring(open + 1, close);
    return (name.startsWith("C1") || name.startsWith("C2")) && name.startsWith(COMPILER_THREAD_SUFFIX, 2);
  }
}
