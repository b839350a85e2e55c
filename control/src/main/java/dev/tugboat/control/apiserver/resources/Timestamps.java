package dev.tugboat.control.apiserver.resources;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Kubernetes' {@code metav1.Time} form: RFC 3339 in UTC, whole seconds ({@code 2026-11-27T23:40:21Z}). */
public final class Timestamps {

  private Timestamps() {}

  public static String format(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }

  /** The instant, or null when {@code text} is null or not a timestamp. */
  public static Instant parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }
}
