package dev.tugboat.bench.proc;

import java.util.ArrayList;
import java.util.List;

/**
 * Unmeasured rounds of a workload until this JVM's JIT is quiet: a bench's client is a JVM on the cores the subject
 * needs, and what its compiler threads use while the subject is measured is CPU the subject waits for. Quiet is judged
 * by the compiler threads' CPU time, not the JIT's elapsed time (CompilationMXBean), which counts the compiler's waits
 * in the run queue of loaded cores and stayed above any quiet share through every round. A subject that is a JVM too
 * (a store member) is warmed the same way: its compiler threads count with the bench JVM's.
 */
public final class JitWarmUp {
  /** The JIT is quiet when its compiler threads used less than this share of a round's time. */
  public static final double QUIET_SHARE = 0.05;

  /** One unmeasured round of the workload; {@code round} counts from 0. */
  @FunctionalInterface
  public interface Round {
    void run(int round) throws Exception;
  }

  private JitWarmUp() {}

  /**
   * Runs rounds until one in which the compiler threads were quiet, or {@code maxRounds}, printing each round's time
   * and compiler CPU under {@code what}; returns how many rounds ran.
   */
  public static int untilQuiet(String what, int maxRounds, Round round) throws Exception {
    return untilQuiet(what, maxRounds, List.of(), 1, round);
  }

  /**
   * As {@link #untilQuiet(String, int, Round)}, with the compiler threads of the processes {@code subjectPids} counted
   * too, until {@code quietRounds} rounds in a row were quiet: all of them together used less than the quiet share of
   * the round. A subject's C2 compiles in bursts a few rounds apart, so one quiet round may be a pause between two.
   */
  public static int untilQuiet(String what, int maxRounds, List<Long> subjectPids, int quietRounds, Round round)
      throws Exception {
    List<CompilerThreadsCpu> compilers = new ArrayList<>();
    compilers.add(CompilerThreadsCpu.of(ProcessHandle.current().pid()));
    subjectPids.forEach(pid -> compilers.add(CompilerThreadsCpu.of(pid)));
    int quietInARow = 0;
    for (int r = 0; r < maxRounds; r++) {
      compilers.forEach(CompilerThreadsCpu::millisecondsSinceLast);
      long start = System.nanoTime();
      round.run(r);
      double roundMs = (System.nanoTime() - start) / 1e6;
      double benchMs = compilers.get(0).millisecondsSinceLast();
      double subjectsMs = 0;
      for (CompilerThreadsCpu subject : compilers.subList(1, compilers.size())) {
        subjectsMs += subject.millisecondsSinceLast();
      }
      System.out.printf("%s warm-up round %d: %.0f ms, the bench JVM's compiler threads used %.0f ms of CPU%s%n",
          what, r, roundMs, benchMs, subjectPids.isEmpty() ? "" : String.format(", the subject's %.0f", subjectsMs));
      quietInARow = benchMs + subjectsMs < QUIET_SHARE * roundMs ? quietInARow + 1 : 0;
      if (quietInARow == quietRounds) {
        return r + 1;
      }
    }
    return maxRounds;
  }
}
