package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FlushPacingTest {
  private static final long INTERVAL = 5_000_000;

  @Test
  void theFirstWriteGoesAtOnce() {
    assertThat(new FlushPacing(INTERVAL).waitBeforeFlush(123)).isZero();
  }

  @Test
  void aWriteWithinTheIntervalWaitsForTheNextTick() {
    FlushPacing pacing = new FlushPacing(INTERVAL);
    pacing.flushed(3 * INTERVAL + 1_000);
    assertThat(pacing.waitBeforeFlush(3 * INTERVAL + 1_000)).isEqualTo(INTERVAL - 1_000);
    assertThat(pacing.waitBeforeFlush(3 * INTERVAL + 2_000)).isEqualTo(INTERVAL - 2_000);
    assertThat(pacing.waitBeforeFlush(4 * INTERVAL - 1)).isEqualTo(1);
    // past the tick, still within the interval of the last write: the tick after
    assertThat(pacing.waitBeforeFlush(4 * INTERVAL)).isEqualTo(INTERVAL);
    assertThat(pacing.waitBeforeFlush(4 * INTERVAL + 999)).isEqualTo(INTERVAL - 999);
  }

  @Test
  void everyStreamWaitsForTheSameTicks() {
    FlushPacing early = new FlushPacing(INTERVAL);
    FlushPacing late = new FlushPacing(INTERVAL);
    early.flushed(10 * INTERVAL + 100);
    late.flushed(10 * INTERVAL + 4_000_000);
    long now = 10 * INTERVAL + 4_500_000;
    assertThat(now + early.waitBeforeFlush(now)).isEqualTo(11 * INTERVAL);
    assertThat(now + late.waitBeforeFlush(now)).isEqualTo(11 * INTERVAL);
  }

  @Test
  void aWriteAnIntervalOrMoreAfterTheLastGoesAtOnce() {
    FlushPacing pacing = new FlushPacing(INTERVAL);
    pacing.flushed(1_000);
    assertThat(pacing.waitBeforeFlush(1_000 + INTERVAL)).isZero();
    assertThat(pacing.waitBeforeFlush(1_000 + 100 * INTERVAL)).isZero();
  }

  @Test
  void eachWriteStartsANewInterval() {
    FlushPacing pacing = new FlushPacing(INTERVAL);
    pacing.flushed(0);
    assertThat(pacing.waitBeforeFlush(7 * INTERVAL + 2)).isZero();
    pacing.flushed(7 * INTERVAL + 2);
    assertThat(pacing.waitBeforeFlush(7 * INTERVAL + 3)).isEqualTo(INTERVAL - 3);
  }

  @Test
  void theClockMayBeNegativeOrWrapAround() {
    FlushPacing pacing = new FlushPacing(INTERVAL);
    pacing.flushed(Long.MAX_VALUE - 10);
    long now = Long.MIN_VALUE + 10; // 21 ns after the write
    long wait = pacing.waitBeforeFlush(now);
    assertThat(wait).isBetween(1L, INTERVAL);
    assertThat(Math.floorMod(now + wait, INTERVAL)).isZero();
    pacing.flushed(-50);
    assertThat(pacing.waitBeforeFlush(-40)).isEqualTo(40);
    assertThat(pacing.waitBeforeFlush(-50 + INTERVAL)).isZero();
  }

  @Test
  void noIntervalNeverWaits() {
    for (long interval : new long[] {0, -1}) {
      FlushPacing pacing = new FlushPacing(interval);
      pacing.flushed(1_000);
      assertThat(pacing.waitBeforeFlush(1_000)).isZero();
    }
  }
}
