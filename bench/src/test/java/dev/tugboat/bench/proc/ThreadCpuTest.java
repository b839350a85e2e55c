package dev.tugboat.bench.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {

  @Test
  void aThreadsNameIsReadFromItsStatLineWhateverItHolds() {
    assertThat(ThreadCpu.nameOfStat("77 (C2 CompilerThre) S 1 70 70 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 5 6 7"))
        .isEqualTo("C2 CompilerThre");
    assertThat(ThreadCpu.nameOfStat("78 (a (b) c) R 1")).isEqualTo("a (b) c");
    assertThat(ThreadCpu.nameOfStat("no name")).isEmpty();
  }

  @Test
  void threadsOfOneKindAreThoseWhoseNamesDifferOnlyInNumbers() {
    assertThat(ThreadCpu.kind("GC Thread#1")).isEqualTo("GC Thread");
    assertThat(ThreadCpu.kind("watchers-3-2")).isEqualTo("watchers");
    assertThat(ThreadCpu.kind("C2 CompilerThre")).isEqualTo("C2 CompilerThre");
    assertThat(ThreadCpu.kind("C1 CompilerThre")).isEqualTo("C1 CompilerThre");
  }

  @Test
  void theCpuUsedIsSummedByKindAndANewThreadCountsWhole() {
    Map<String, ThreadCpu.Thread> before = Map.of("1", new ThreadCpu.Thread("GC Thread#0", 10),
        "2", new ThreadCpu.Thread("GC Thread#1", 20), "3", new ThreadCpu.Thread("gone", 5));
    Map<String, ThreadCpu.Thread> after = Map.of("1", new ThreadCpu.Thread("GC Thread#0", 15),
        "2", new ThreadCpu.Thread("GC Thread#1", 40), "4", new ThreadCpu.Thread("watchers-1-1", 7));
    assertThat(ThreadCpu.usedByKind(before, after)).containsExactly(Map.entry("GC Thread", 25.0),
        Map.entry("watchers", 7.0));
  }

  @Test
  void thisJvmHasAMainThread() {
    assertThat(ThreadCpu.threads(ProcessHandle.current().pid()).values())
        .anySatisfy(thread -> assertThat(thread.milliseconds()).isGreaterThanOrEqualTo(0));
  }
}
