package dev.tugboat.bench.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tugboat.bench.report.Figures;
import org.junit.jupiter.api.Test;

class CheckPerfTest {

  @Test
  void readsThroughputAndSlowestRequestFromAPassingRun() {
    Figures f = CheckPerf.parse("60 / 60 100.00% 1m0s\nPASS: Throughput is 150 writes/s\n"
        + "PASS: Slowest request took 0.047796s\nPASS: Stddev is 0.001144s\nPASS\n");
    assertThat(f.error()).isNull();
    assertThat(f.get("writes_per_s")).isEqualTo(150.0);
    assertThat(f.get("slowest_ms")).isEqualTo(47.796);
    assertThat(f.get("passed")).isEqualTo(1.0);
  }

  @Test
  void readsAFailingRun() {
    Figures f = CheckPerf.parse("FAIL: Throughput too low: 1987 writes/s\nPASS: Slowest request took 0.31s\n"
        + "PASS: Stddev is 0.02s\nFAIL\n");
    assertThat(f.get("writes_per_s")).isEqualTo(1987.0);
    assertThat(f.get("passed")).isEqualTo(0.0);
  }

  @Test
  void readsARunThatFailsOnEveryCount() {
    Figures f = CheckPerf.parse("60 / 60 100.00% 1m0s\nFAIL: Throughput too low: 1630 writes/s\n"
        + "Slowest request took too long: 2.193137s\nStddev too high: 0.237757s\nFAIL\n");
    assertThat(f.error()).isNull();
    assertThat(f.get("writes_per_s")).isEqualTo(1630.0);
    assertThat(f.get("slowest_ms")).isEqualTo(2193.137);
    assertThat(f.get("passed")).isEqualTo(0.0);
  }

  @Test
  void outputWithoutVerdictIsAnError() {
    assertThat(CheckPerf.parse("Error: context deadline exceeded").error())
        .contains("no verdict").contains("context deadline exceeded");
  }

  @Test
  void etcdctlCpuIsTheChildrenLineOfBashTimes() {
    assertThat(CheckPerf.childCpuSeconds("0m0.016s 0m0.000s\n0m17.987s 0m10.465s\n")).isCloseTo(28.452, within(1e-9));
    assertThat(CheckPerf.childCpuSeconds("0m0.016s 0m0.000s\n1m2.500s 0m0.500s\n")).isCloseTo(63.0, within(1e-9));
    assertThat(CheckPerf.childCpuSeconds("")).isNull();
  }
}
