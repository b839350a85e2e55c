package dev.tugboat.bench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An issue's target as an expression over a case's figures: one comparison {@code OPERAND OP OPERAND}, or several
 * joined by {@code and} (an issue's target may bound a median and a p99 at once). An operand is a number, a ratio name
 * ({@code tugboat_p50_over_crun_p50}) or {@code subject.figure} ({@code crun.p50_ms}); OP is one of
 * {@code < <= > >=}. Evaluating it is how {@code met} is computed rather than typed.
 */
public record Target(String expression, List<Comparison> comparisons) {
  private static final Pattern FORM = Pattern.compile("\\s*(\\S+)\\s*(<=|>=|<|>)\\s*(\\S+)\\s*");
  private static final Pattern AND = Pattern.compile("\\s+and\\s+");

  /** One {@code OPERAND OP OPERAND} of a target. */
  public record Comparison(String left, String operator, String right) {}

  public static Target parse(String expression) {
    List<Comparison> comparisons = new ArrayList<>();
    for (String part : AND.split(expression.trim(), -1)) {
      Matcher m = FORM.matcher(part);
      if (!m.matches()) {
        throw new IllegalArgumentException("target \"" + expression + "\": \"" + part
            + "\" is not OPERAND (<|<=|>|>=) OPERAND");
      }
      comparisons.add(new Comparison(m.group(1), m.group(2), m.group(3)));
    }
    return new Target(expression.trim(), List.copyOf(comparisons));
  }

  /**
   * False when any comparison is known to fail; otherwise null when a figure is missing (a subject failed to run);
   * true when every comparison holds.
   */
  public Boolean evaluate(Map<String, Double> ratios, Map<String, Figures> subjects) {
    boolean unknown = false;
    for (Comparison c : comparisons) {
      Double l = operand(c.left(), ratios, subjects);
      Double r = operand(c.right(), ratios, subjects);
      if (l == null || r == null) {
        unknown = true;
        continue;
      }
      boolean holds = switch (c.operator()) {
        case "<" -> l < r;
        case "<=" -> l <= r;
        case ">" -> l > r;
        default -> l >= r;
      };
      if (!holds) {
        return false;
      }
    }
    return unknown ? null : true;
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
