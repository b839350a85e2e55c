package dev.tugboat.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CompilerThreadsCpuTest {

  @Test
  void hotSpotsC1AndC2CompilerThreadsAreCounted() {
    assertThat(CompilerThreadsCpu.isCompilerThread("C2 CompilerThre")).isTrue();
    assertThat(CompilerThreadsCpu.isCompilerThread("C1 CompilerThre")).isTrue();
  }

  @Test
  void otherThreadsAreNot() {
    assertThat(CompilerThreadsCpu.isCompilerThread("java")).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread("G1 Conc#0")).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread("C3 CompilerThre")).isFalse();
    assertThat(CompilerThreadsCpu.isCompilerThread("CompilerThread")).isFalse();
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
