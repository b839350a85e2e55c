package dev.tugboat.runtime.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The values of runc update's flags, parsed as runc parses them; errors read as runc's do and name the flag. */
final class UpdateValues {
  // docker/go-units RAMInBytes: a number, an optional binary unit (k, m, g, t, p; "b" or "ib" may follow), any case.
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp])?(i?b)?", Pattern.CASE_INSENSITIVE);

  private UpdateValues() {}

  /** A memory size in bytes; -1 is unlimited. */
  static Long size(String flag, String text) {
    if (text.trim().equals("-1")) return -1L;
    Matcher m = SIZE.matcher(text.trim());
    if (!m.matches()) throw new IllegalArgumentException("invalid value for " + flag + ": invalid size: '" + text + "'");
    double value = Double.parseDouble(m.group(1));
    String unit = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
    int shift = switch (unit) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      case "p" -> 50;
      default -> 0;
    };
    return (long) (value * (1L << shift));
  }

  static Long number(String flag, String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid value for " + flag + ": not an integer: '" + text + "'");
    }
  }
}
