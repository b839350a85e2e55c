package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TimestampsTest {

  private static String expected(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  @Test
  void formatsWholeSecondsInUtc() {
    assertThat(Timestamps.format(Instant.parse("2026-11-27T23:40:21.999999999Z"))).isEqualTo("2026-11-27T23:40:21Z");
    assertThat(Timestamps.format(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("1969-12-31T23:59:59Z");
    assertThat(Timestamps.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
  }

  @Test
  void everyInstantFormatsAsItsOwnSecondWhateverWasFormattedBefore() {
    // the same second many times, the next one, back again, and far jumps: the remembered second must never leak
    SplittableRandom random = new SplittableRandom(7);
    long base = Instant.parse("2026-11-29T06:00:00Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      long second = switch (i % 4) {
        case 0, 1 -> base + random.nextInt(3) - 1;
        case 2 -> base + random.nextInt(100_000) - 50_000;
        default -> random.nextLong(-10_000_000_000L, 200_000_000_000L);
      };
      Instant instant = Instant.ofEpochSecond(second, random.nextInt(1_000_000_000));
      assertThat(Timestamps.format(instant)).isEqualTo(expected(instant));
    }
  }
}
