package dev.tugboat.control.apiserver.resources.selection;

import dev.tugboat.control.apiserver.resources.validation.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * A parsed label selector ({@code app=web,tier in (a,b),!canary}): every requirement must hold. The grammar and the
 * error messages follow {@code k8s.io/apimachinery/pkg/labels}.
 */
public final class LabelSelector {

  public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN }

  public record Requirement(String key, Operator operator, List<String> values) {

    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case EQUALS, IN -> value != null && values.contains(value);
        case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
        case EXISTS -> value != null;
        case DOES_NOT_EXIST -> value == null;
        case GREATER_THAN, LESS_THAN -> {
          if (value == null) {
            yield false;
          }
          try {
            long actual = Long.parseLong(value);
            long bound = Long.parseLong(values.get(0));
            yield operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
          } catch (NumberFormatException e) {
            yield false;
          }
        }
      };
    }
  }

  public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  public static LabelSelector of(List<Requirement> requirements) {
    return new LabelSelector(List.copyOf(requirements));
  }

  /**
   * A {@code metav1.LabelSelector} object ({@code matchLabels}, {@code matchExpressions}) as a selector; the
   * string form of Kubernetes' {@code FormatLabelSelector} is its {@link #toString()}.
   */
  public static LabelSelector fromObject(tools.jackson.databind.JsonNode selector) {
    List<Requirement> requirements = new ArrayList<>();
    tools.jackson.databind.JsonNode matchLabels = selector.path("matchLabels");
    if (matchLabels.isObject()) {
      for (Map.Entry<String, tools.jackson.databind.JsonNode> e : new java.util.TreeMap<>(
          toMap(matchLabels)).entrySet()) {
        requirements.add(new Requirement(e.getKey(), Operator.EQUALS, List.of(e.getValue().asString())));
      }
    }
    for (tools.jackson.databind.JsonNode expression : selector.path("matchExpressions")) {
      String key = expression.path("key").asString("");
      List<String> values = new ArrayList<>();
      expression.path("values").forEach(v -> values.add(v.asString()));
      java.util.Collections.sort(values);
      Operator operator = switch (expression.path("operator").asString("")) {
        case "In" -> Operator.IN;
        case "NotIn" -> Operator.NOT_IN;
        case "Exists" -> Operator.EXISTS;
        case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
        default -> throw new SelectorException("\"" + expression.path("operator").asString("")
            + "\" is not a valid label selector operator");
      };
      requirements.add(new Requirement(key, operator, List.copyOf(values)));
    }
    return new LabelSelector(List.copyOf(requirements));
  }

  private static Map<String, tools.jackson.databind.JsonNode> toMap(tools.jackson.databind.JsonNode node) {
    Map<String, tools.jackson.databind.JsonNode> map = new java.util.HashMap<>();
    for (Map.Entry<String, tools.jackson.databind.JsonNode> e : node.properties()) {
      map.put(e.getKey(), e.getValue());
    }
    return map;
  }

  public List<Requirement> requirements() {
    return requirements;
  }

  public boolean isEverything() {
    return requirements.isEmpty();
  }

  public boolean matches(Map<String, String> labels) {
    for (Requirement requirement : requirements) {
      if (!requirement.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** Parses {@code text}; null or blank selects everything. Throws {@link SelectorException} naming the problem. */
  public static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    return new Parser(text).parse();
  }

  private static final class Parser {
    private final List<String> tokens = new ArrayList<>();
    private int position;

    Parser(String text) {
      lex(text);
    }

    private void lex(String text) {
      int i = 0;
      while (i < text.length()) {
        char c = text.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == ',' || c == '(' || c == ')' || c == '<' || c == '>') {
          tokens.add(String.valueOf(c));
          i++;
        } else if (c == '=' || c == '!') {
          if (i + 1 < text.length() && text.charAt(i + 1) == '=') {
            tokens.add(c + "=");
            i += 2;
          } else {
            tokens.add(String.valueOf(c));
            i++;
          }
        } else {
          int start = i;
          while (i < text.length() && !isSpecial(text.charAt(i))) {
            i++;
          }
          tokens.add(text.substring(start, i));
        }
      }
    }

    private static boolean isSpecial(char c) {
      return Character.isWhitespace(c) || c == ',' || c == '(' || c == ')' || c == '<' || c == '>' || c == '='
          || c == '!';
    }

    private String peek() {
      return position < tokens.size() ? tokens.get(position) : "";
    }

    private String next() {
      String token = peek();
      position++;
      return token;
    }

    private static boolean isIdentifier(String token) {
      return !token.isEmpty() && !isSpecial(token.charAt(0));
    }

    private static SelectorException error(String found, String expected) {
      return new SelectorException("unable to parse requirement: found '" + found + "', expected: " + expected);
    }

    LabelSelector parse() {
      List<Requirement> requirements = new ArrayList<>();
      while (true) {
        requirements.add(requirement());
        String token = next();
        if (token.isEmpty()) {
          break;
        }
        if (!token.equals(",")) {
          throw error(token, "',' or 'end of string'");
        }
      }
      return new LabelSelector(List.copyOf(requirements));
    }

    private Requirement requirement() {
      boolean negated = false;
      if (peek().equals("!")) {
        next();
        negated = true;
      }
      String key = next();
      if (!isIdentifier(key) || key.equals("in") || key.equals("notin")) {
        throw error(key, "identifier");
      }
      validateKey(key);
      if (negated) {
        return new Requirement(key, Operator.DOES_NOT_EXIST, List.of());
      }
      String op = peek();
      if (op.isEmpty() || op.equals(",")) {
        return new Requirement(key, Operator.EXISTS, List.of());
      }
      next();
      Operator operator = switch (op) {
        case "=", "==" -> Operator.EQUALS;
        case "!=" -> Operator.NOT_EQUALS;
        case "in" -> Operator.IN;
        case "notin" -> Operator.NOT_IN;
        case ">" -> Operator.GREATER_THAN;
        case "<" -> Operator.LESS_THAN;
        default -> throw error(op, "[!= == = in notin gt lt]");
      };
      List<String> values;
      if (operator == Operator.IN || operator == Operator.NOT_IN) {
        values = valueSet();
      } else {
        String value = peek();
        if (value.isEmpty() || value.equals(",")) {
          value = "";
        } else if (isIdentifier(value)) {
          next();
        } else {
          throw error(value, "identifier");
        }
        if (operator == Operator.GREATER_THAN || operator == Operator.LESS_THAN) {
          try {
            Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new SelectorException("unable to parse requirement: for 'gt', 'lt' operators, the value must be "
                + "an integer");
          }
        }
        values = List.of(value);
      }
      for (String value : values) {
        List<String> problems = Names.labelValue(value);
        if (!problems.isEmpty()) {
          throw new SelectorException("unable to parse requirement: values[0][" + key + "]: Invalid value: \""
              + value + "\": " + String.join("; ", problems));
        }
      }
      return new Requirement(key, operator, values);
    }

    private List<String> valueSet() {
      String open = next();
      if (!open.equals("(")) {
        throw error(open, "'('");
      }
      TreeSet<String> values = new TreeSet<>();
      while (true) {
        String token = next();
        if (token.equals(")")) {
          values.add("");
          break;
        }
        if (token.equals(",")) {
          values.add("");
          continue;
        }
        if (!isIdentifier(token)) {
          throw error(token, "',', ')' or identifier");
        }
        values.add(token);
        String separator = next();
        if (separator.equals(")")) {
          break;
        }
        if (!separator.equals(",")) {
          throw error(separator, "',' or ')'");
        }
      }
      if (values.size() > 1) {
        values.remove("");
      }
      return List.copyOf(values);
    }

    private static void validateKey(String key) {
      List<String> problems = Names.qualifiedName(key);
      if (!problems.isEmpty()) {
        throw new SelectorException("unable to parse requirement: key: Invalid value: \"" + key + "\": "
            + String.join("; ", problems));
      }
    }
  }

  /** The selector in Kubernetes' string form ({@code app=web,tier in (a,b)}). */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    for (Requirement r : requirements) {
      if (s.length() > 0) {
        s.append(',');
      }
      switch (r.operator()) {
        case EQUALS -> s.append(r.key()).append('=').append(r.values().get(0));
        case NOT_EQUALS -> s.append(r.key()).append("!=").append(r.values().get(0));
        case IN -> s.append(r.key()).append(" in (").append(String.join(",", r.values())).append(')');
        case NOT_IN -> s.append(r.key()).append(" notin (").append(String.join(",", r.values())).append(')');
        case EXISTS -> s.append(r.key());
        case DOES_NOT_EXIST -> s.append('!').append(r.key());
        case GREATER_THAN -> s.append(r.key()).append('>').append(r.values().get(0));
        case LESS_THAN -> s.append(r.key()).append('<').append(r.values().get(0));
      }
    }
    return s.toString();
  }
}
