package dev.tugboat.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void userAndSystemTicksAddUpInMilliseconds() throws IOException {
    String stat = "4242 (java) S 1 4242 4242 0 -1 4194304 97 0 0 0 1234 56 7 8 20 0 40 0 1813992 3133440 394";
    assertThat(ProcessCpu.millisecondsOfStat(stat)).isEqualTo((1234 + 56) * 10.0);
  }

  @Test
  void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() throws IOException {
    String stat = "7 (a b) (c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 6 7";
    assertThat(ProcessCpu.millisecondsOfStat(stat)).isEqualTo(70.0);
  }

  @Test
  void thisProcessHasUsedSomeCpu() throws IOException {
    long spin = 0;
    long until = System.nanoTime() + 50_000_000L;
    while (System.nanoTime() < until) {
      spin++;
    }
    assertThat(spin).isPositive();
    assertThat(ProcessCpu.milliseconds(ProcessHandle.current().pid())).isGreaterThan(0);
  }

  @Test
  void aLineThatIsNotStatIsRefused() {
    assertThatThrownBy(() -> ProcessCpu.millisecondsOfStat("no such line")).isInstanceOf(IOException.class);
  }
}
