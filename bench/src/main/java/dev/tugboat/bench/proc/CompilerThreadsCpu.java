package dev.tugboat.bench.proc;

import java.util.Map;

/**
 * CPU time a HotSpot JVM's JIT compiler threads used, from /proc/PID/task: how much compiling a run of work cost,
 * whatever else shares the machine. CompilationMXBean's total compilation time is elapsed time, which on 2 loaded
 * cores counts the compiler's waits in the run queue too, so it stayed high round after round of a warm-up whose
 * compiler had little left to do.
 *
 * <p>HotSpot names these threads "C1 CompilerThreadN" and "C2 CompilerThreadN". With UseDynamicNumberOfCompilerThreads
 * (the default) an idle extra compiler thread may exit, and the CPU it used since the last reading is lost with it;
 * the first thread of each compiler never exits.
 */
public final class CompilerThreadsCpu {
  private final long pid;
  private Map<String, ThreadCpu.Thread> last;

  private CompilerThreadsCpu(long pid) {
    this.pid = pid;
    this.last = ThreadCpu.threads(pid);
  }

  /** Counts from now for the process {@code pid}. */
  public static CompilerThreadsCpu of(long pid) {
    return new CompilerThreadsCpu(pid);
  }

  /** Milliseconds of CPU the compiler threads used since the last call, or since {@link #of}. */
  public double millisecondsSinceLast() {
    Map<String, ThreadCpu.Thread> now = ThreadCpu.threads(pid);
    double used = 0;
    for (Map.Entry<String, ThreadCpu.Thread> thread : now.entrySet()) {
      if (isCompilerThread(thread.getValue().name())) {
        ThreadCpu.Thread was = last.get(thread.getKey());
        used += thread.getValue().milliseconds() - (was == null ? 0 : was.milliseconds());
      }
    }
    last = now;
    return used;
  }

  /** {@code name} is a thread's name as /proc shows it, cut to 15 characters ("C2 CompilerThre"). */
  static boolean isCompilerThread(String name) {
    return (name.startsWith("C1") || name.startsWith("C2")) && name.startsWith(" CompilerThre", 2);
  }
}
