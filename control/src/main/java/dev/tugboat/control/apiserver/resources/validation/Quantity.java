package dev.tugboat.control.apiserver.resources.validation;

import java.math.BigDecimal;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes resource quantities ({@code 100m}, {@code 1.5Gi}, {@code 2e3}) as exact decimals. */
public final class Quantity {

  public static final String FORMAT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
  private static final Pattern PATTERN = Pattern.compile(FORMAT);
  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("", BigDecimal.ONE),
      Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")), Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")),
      Map.entry("Ki", BigDecimal.valueOf(1024)), Map.entry("Mi", BigDecimal.valueOf(1024L * 1024)),
      Map.entry("Gi", BigDecimal.valueOf(1024L * 1024 * 1024)),
      Map.entry("Ti", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024)),
      Map.entry("Pi", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024 * 1024)),
      Map.entry("Ei", BigDecimal.valueOf(1024L * 1024 * 1024 * 1024 * 1024 * 1024)));

  private Quantity() {}

  /** The value of {@code text}, or null when it is not a quantity. */
  public static BigDecimal parse(String text) {
    if (text == null) {
      return null;
    }
    Matcher matcher = PATTERN.matcher(text.trim());
    if (!matcher.matches()) {
      return null;
    }
    BigDecimal number;
    try {
      number = new BigDecimal(matcher.group(1));
    } catch (NumberFormatException e) {
      return null;
    }
    String suffix = matcher.group(2);
    BigDecimal multiplier = SUFFIXES.get(suffix);
    if (multiplier != null) {
      return number.multiply(multiplier);
    }
    if (suffix.length() > 1 && (suffix.charAt(0) == 'e' || suffix.charAt(0) == 'E')) {
      try {
        return number.scaleByPowerOfTen(Integer.parseInt(suffix.substring(1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }
}
