package dev.tugboat.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompilerThreadsCpuTest {

  private static String stat(String name) {
    return "77 (" + name + ") S 1 70 70 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 6 7";
  }

  @Test
  void hotSpotsC1AndC2CompilerThreadsAreCounted() {
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("C2 CompilerThre"))).isTrue();
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("C1 CompilerThre"))).isTrue();
  }

  @Test
  void otherThreadsAreNot() {
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("java"))).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("G1 Conc#0"))).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("C3 CompilerThre"))).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread(stat("CompilerThread"))).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread("not a stat line")).isFalse();
  }

  @Test
  void thisJvmsCompilerThreadsAreFoundAndTheirCpuOnlyGrows() {
    CompilerThreadsCpu compiler = CompilerThreadsCpu.of(ProcessHandle.current().pid());
    StringBuilder work = new StringBuilder();
    for (int i = 0; i < 200_000; i++) {
      work.append(Integer.toHexString(i * 31).hashCode() % 7);
    }
    assertThat(work).isNotEmpty();
    assertThat(compiler.millisecondsSinceLast()).isGreaterThanOrEqualTo(0);
  }
}
