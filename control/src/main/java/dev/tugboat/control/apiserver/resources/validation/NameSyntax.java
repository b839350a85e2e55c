package dev.tugboat.control.apiserver.resources.validation;

/**
 * The character rules of {@link Names}' regular expressions, checked in one pass without a regex engine. Every pod
 * create checks its name, namespace and each label key and value: the regex matchers were 3 KB of the server's
 * allocation per create and 2% of its CPU (JFR, tug bench apiserver). {@code NameSyntaxTest} holds each method equal
 * to the regex it stands for.
 */
final class NameSyntax {

  private NameSyntax() {}

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?} */
  static boolean isDns1123Label(String value) {
    return isDns1123Label(value, 0, value.length());
  }

  /** {@code [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*}: dot-separated DNS-1123 labels. */
  static boolean isDns1123Subdomain(String value) {
    int start = 0;
    while (true) {
      int dot = value.indexOf('.', start);
      int end = dot < 0 ? value.length() : dot;
      if (!isDns1123Label(value, start, end)) {
        return false;
      }
      if (dot < 0) {
        return true;
      }
      start = dot + 1;
    }
  }

  /** {@code [a-z]([-a-z0-9]*[a-z0-9])?} */
  static boolean isDns1035Label(String value) {
    return !value.isEmpty() && isLowerLetter(value.charAt(0)) && isDns1123Label(value);
  }

  /** {@code ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]}: the name part of a qualified name, a non-empty label value. */
  static boolean isQualifiedNamePart(String value) {
    int n = value.length();
    if (n == 0 || !isAlphanumeric(value.charAt(0)) || !isAlphanumeric(value.charAt(n - 1))) {
      return false;
    }
    for (int i = 1; i < n - 1; i++) {
      char c = value.charAt(i);
      if (!isAlphanumeric(c) && c != '-' && c != '_' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isDns1123Label(String value, int start, int end) {
    if (end <= start || !isLowerAlphanumeric(value.charAt(start)) || !isLowerAlphanumeric(value.charAt(end - 1))) {
      return false;
    }
    for (int i = start + 1; i < end - 1; i++) {
      char c = value.charAt(i);
      if (!isLowerAlphanumeric(c) && c != '-') {
        return false;
      }
    }
    return true;
  }

  private static boolean isLowerLetter(char c) {
    return c >= 'a' && c <= 'z';
  }

  private static boolean isLowerAlphanumeric(char c) {
    return isLowerLetter(c) || c >= '0' && c <= '9';
  }

  private static boolean isAlphanumeric(char c) {
    return isLowerAlphanumeric(c) || c >= 'A' && c <= 'Z';
  }
}
