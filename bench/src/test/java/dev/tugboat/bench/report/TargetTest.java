package dev.tugboat.bench.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {

  @Test
  void ratioBelowBoundIsMet() {
    BenchCase c = new BenchCase("x")
        .subject("tugboat", new Figures().put("p50_ms", 7.0))
        .subject("crun", new Figures().put("p50_ms", 28.0))
        .ratio("tugboat", "p50_ms", "crun", "p50_ms")
        .target("tugboat_p50_over_crun_p50 <= 0.333");
    assertThat(c.ratios()).containsEntry("tugboat_p50_over_crun_p50", 0.25);
    assertThat(c.met()).isTrue();
  }

  @Test
  void subjectFiguresCompareAcrossSubjects() {
    Map<String, Figures> subjects = Map.of(
        "tugboat", new Figures().put("p99_ms", 30.0),
        "crun", new Figures().put("p50_ms", 28.0));
    assertThat(Target.parse("tugboat.p99_ms < crun.p50_ms").evaluate(Map.of(), subjects)).isFalse();
  }

  @Test
  void missingFigureLeavesTargetUnjudged() {
    BenchCase c = new BenchCase("x")
        .subject("tugboat", new Figures().put("p50_ms", 7.0))
        .subject("crun", Figures.error("crun: not installed"))
        .ratio("tugboat", "p50_ms", "crun", "p50_ms")
        .target("tugboat_p50_over_crun_p50 <= 0.333");
    assertThat(c.ratios()).isEmpty();
    assertThat(c.met()).isNull();
  }

  @Test
  void malformedTargetNamesTheExpression() {
    assertThatThrownBy(() -> Target.parse("tugboat fast")).hasMessageContaining("\"tugboat fast\"");
    assertThatThrownBy(() -> Target.parse("a_over_b <= 0.5 and fast"))
        .hasMessageContaining("\"fast\" is not OPERAND");
  }

  @Test
  void everyPartOfAConjunctionMustHold() {
    Map<String, Double> ratios = Map.of("p50_ratio", 0.4, "p99_ratio", 1.2);
    assertThat(Target.parse("p50_ratio <= 0.5 and p99_ratio < 1").evaluate(ratios, Map.of())).isFalse();
    assertThat(Target.parse("p50_ratio <= 0.5 and p99_ratio < 1.5").evaluate(ratios, Map.of())).isTrue();
    assertThat(Target.parse("p99_ratio < 1 and p50_ratio <= 0.5").evaluate(ratios, Map.of())).isFalse();
  }

  @Test
  void aFailedPartDecidesEvenWhenAnotherIsUnknown() {
    Map<String, Double> ratios = Map.of("p50_ratio", 0.7);
    assertThat(Target.parse("p50_ratio <= 0.5 and p99_ratio < 1").evaluate(ratios, Map.of())).isFalse();
    assertThat(Target.parse("p50_ratio <= 1 and p99_ratio < 1").evaluate(ratios, Map.of())).isNull();
  }

  @Test
  void nearestRankPercentiles() {
    Samples s = new Samples();
    for (int i = 1; i <= 200; i++) {
      s.add(i * 1_000_000L);
    }
    assertThat(s.percentileMillis(50)).isEqualTo(100.0);
    assertThat(s.percentileMillis(99)).isEqualTo(198.0);
    assertThat(s.figures().get("n")).isEqualTo(200.0);
  }
}
