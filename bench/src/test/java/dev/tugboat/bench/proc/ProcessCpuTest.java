package dev.tugboat.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {

  @Test
  void userAndSystemTicksAreAddedUpInSeconds() {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
    String stat = "4242 (java) S 1 4242 4242 0 -1 4194560 900 0 3 0 2150 830 12 7 20 0 41 0 5000 1000 2000";
    assertThat(ProcessCpu.parseCpuSeconds(stat)).isEqualTo(29.8);
  }

  @Test
  void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
    String stat = "7 (a b) c)) R 1 7 7 0 -1 0 0 0 0 0 100 50 0 0 20 0 1 0 1 1 1";
    assertThat(ProcessCpu.parseCpuSeconds(stat)).isEqualTo(1.5);
  }

  @Test
  void thisProcessHasUsedSomeCpu() throws Exception {
    assertThat(ProcessCpu.cpuSeconds(ProcessHandle.current().pid())).isPositive();
  }
}
