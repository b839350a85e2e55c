package dev.tugboat.bench.report;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An issue's target as an expression over a case's figures: {@code OPERAND OP OPERAND}, where an operand is a number,
 * a ratio name ({@code tugboat_p50_over_crun_p50}) or {@code subject.figure} ({@code crun.p50_ms}), and OP is one of
 * {@code < <= > >=}. Evaluating it is how {@code met} is computed rather than typed.
 */
public record Target(String expression, String left, String operator, String right) {
  private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\s*(<=|>=|<|>)\\s*(\\S+)\\s*");

  public static Target parse(String expression) {
    Matcher m = FORM.matcher(expression);
    if (!m.matches()) {
      throw new IllegalArgumentException("target \"" + expression + "\": expected OPERAND (<|<=|>|>=) OPERAND");
    }
    return new Target(expression.trim(), m.group(1), m.group(2), m.group(3));
  }

  /** True or false when both operands are known; null when a figure is missing (a subject failed to run). */
  public Boolean evaluate(Map<String, Double> ratios, Map<String, Figures> subjects) {
    Double l = operand(left, ratios, subjects);
    Double r = operand(right, ratios, subjects);
    if (l == null || r == null) {
      return null;
    }
    return switch (operator) {
      case "<" -> l < r;
      case "<=" -> l <= r;
      case ">" -> l > r;
      default -> l >= r;
    };
  }

  private static Double operand(String token, Map<String, Double> ratios, Map<String, Figures> subjects) {
    try {
      return Double.parseDouble(token);
    } catch (NumberFormatException notANumber) {
      // a name, looked up below
    }
    if (ratios.containsKey(token)) {
      return ratios.get(token);
    }
    int dot = token.indexOf('.');
    if (dot > 0) {
      Figures f = subjects.get(token.substring(0, dot));
      return f == null ? null : f.get(token.substring(dot + 1));
    }
    return null;
  }
}
