package dev.tugboat.control.apiserver.resources.selection;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed field selector ({@code metadata.name=x,status.phase!=Running}): every term must hold. Only the fields a
 * resource supports may be used, as Kubernetes refuses others with {@code field label not supported}.
 */
public final class FieldSelector {

  public record Term(String field, boolean equals, String value) {
    boolean matches(Map<String, String> fields) {
      String actual = fields.get(field);
      boolean same = value.equals(actual == null ? "" : actual);
      return equals == same;
    }
  }

  public static final FieldSelector EVERYTHING = new FieldSelector(List.of());

  private final List<Term> terms;

  private FieldSelector(List<Term> terms) {
    this.terms = terms;
  }

  public List<Term> terms() {
    return terms;
  }

  public boolean isEverything() {
    return terms.isEmpty();
  }

  public boolean matches(Map<String, String> fields) {
    for (Term term : terms) {
      if (!term.matches(fields)) {
        return false;
      }
    }
    return true;
  }

  /** The value an {@code =} term requires of {@code field}, or null. */
  public String requiredValue(String field) {
    for (Term term : terms) {
      if (term.equals && term.field.equals(field)) {
        return term.value;
      }
    }
    return null;
  }

  public static FieldSelector parse(String text, Set<String> supportedFields) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    List<Term> terms = new ArrayList<>();
    for (String part : splitUnescaped(text, ',')) {
      if (part.isEmpty()) {
        continue;
      }
      Term term = parseTerm(part);
      if (!supportedFields.contains(term.field)) {
        throw new SelectorException("field label not supported: " + term.field);
      }
      terms.add(term);
    }
    return new FieldSelector(List.copyOf(terms));
  }

  private static Term parseTerm(String part) {
    int notEquals = indexUnescaped(part, "!=");
    if (notEquals >= 0) {
      return new Term(part.substring(0, notEquals).trim(), false, unescape(part.substring(notEquals + 2)));
    }
    int doubleEquals = indexUnescaped(part, "==");
    if (doubleEquals >= 0) {
      return new Term(part.substring(0, doubleEquals).trim(), true, unescape(part.substring(doubleEquals + 2)));
    }
    int equals = indexUnescaped(part, "=");
    if (equals >= 0) {
      return new Term(part.substring(0, equals).trim(), true, unescape(part.substring(equals + 1)));
    }
    throw new SelectorException("invalid selector: '" + part + "'; can't understand '" + part + "'");
  }

  private static int indexUnescaped(String s, String token) {
    for (int i = 0; i + token.length() <= s.length(); i++) {
      if (s.charAt(i) == '\\') {
        i++;
        continue;
      }
      if (s.startsWith(token, i)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> splitUnescaped(String s, char separator) {
    List<String> parts = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        current.append(c).append(s.charAt(++i));
      } else if (c == separator) {
        parts.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    parts.add(current.toString());
    return parts;
  }

  private static String unescape(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length()) {
        char next = s.charAt(++i);
        if (next != '\\' && next != ',' && next != '=') {
          throw new SelectorException("invalid field selector: invalid escape sequence: \\" + next);
        }
        out.append(next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return terms.toString();
  }
}
