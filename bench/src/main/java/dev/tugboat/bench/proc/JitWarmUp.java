package dev.tugboat.bench.proc;

/**
 * Unmeasured rounds of a workload until this JVM's JIT is quiet: a bench's client is a JVM on the cores the subject
 * needs, and what its compiler threads use while the subject is measured is CPU the subject waits for. Quiet is judged
 * by the compiler threads' CPU time, not the JIT's elapsed time (CompilationMXBean), which counts the compiler's waits
 * in the run queue of loaded cores and stayed above any quiet share through every round.
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
    CompilerThreadsCpu compiler = CompilerThreadsCpu.of(ProcessHandle.current().pid());
    for (int r = 0; r < maxRounds; r++) {
      compiler.millisecondsSinceLast();
      long start = System.nanoTime();
      round.run(r);
      double roundMs = (System.nanoTime() - start) / 1e6;
      double compiledMs = compiler.millisecondsSinceLast();
      System.out.printf("%s warm-up round %d: %.0f ms, the bench JVM's compiler threads used %.0f ms of CPU%n",
          what, r, roundMs, compiledMs);
      if (compiledMs < QUIET_SHARE * roundMs) {
        return r + 1;
      }
    }
    return maxRounds;
  }
}
