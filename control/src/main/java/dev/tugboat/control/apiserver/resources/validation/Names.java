package dev.tugboat.control.apiserver.resources.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Kubernetes' name and label rules ({@code k8s.io/apimachinery/pkg/util/validation}), with its exact messages:
 * each method returns the problems with {@code value}, empty when it is valid.
 */
public final class Names {

  // the expressions as Kubernetes writes them, quoted in its messages; NameSyntax checks them
  static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
  static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
  private static final Pattern IANA_SVC_NAME = Pattern.compile("[-a-z0-9]+");
  private static final Pattern HAS_LETTER = Pattern.compile(".*[a-z].*");

  private Names() {}

  private static String regexError(String msg, String fmt, String... examples) {
    StringBuilder s = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        s.append(",  or ");
      }
      s.append('\'').append(examples[i]).append('\'');
    }
    return s.append(", regex used for validation is '").append(fmt).append("')").toString();
  }

  private static String maxLen(int n) {
    return "must be no more than " + n + " characters";
  }

  public static List<String> dns1123Label(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!NameSyntax.isDns1123Label(value)) {
      errors.add(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
          + "and must start and end with an alphanumeric character", DNS1123_LABEL_FMT, "my-name", "123-abc"));
    }
    return errors;
  }

  public static List<String> dns1123Subdomain(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 253) {
      errors.add(maxLen(253));
    }
    if (!NameSyntax.isDns1123Subdomain(value)) {
      errors.add(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
          + "or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, "example.com"));
    }
    return errors;
  }

  public static List<String> dns1035Label(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!NameSyntax.isDns1035Label(value)) {
      errors.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "
          + "an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL_FMT, "my-name",
          "abc-123"));
    }
    return errors;
  }

  /** A label or annotation key: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
  public static List<String> qualifiedName(String value) {
    List<String> errors = new ArrayList<>();
    int slash = value.indexOf('/');
    String name;
    if (slash < 0) {
      name = value;
    } else if (value.indexOf('/', slash + 1) < 0) {
      String prefix = value.substring(0, slash);
      name = value.substring(slash + 1);
      if (prefix.isEmpty()) {
        errors.add("prefix part must be non-empty");
      } else {
        for (String error : dns1123Subdomain(prefix)) {
          errors.add("prefix part " + error);
        }
      }
    } else {
      errors.add(regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
          + "start and end with an alphanumeric character", QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
          + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
      return errors;
    }
    if (name.isEmpty()) {
      errors.add("name part must be non-empty");
    } else if (name.length() > 63) {
      errors.add("name part " + maxLen(63));
    }
    if (!NameSyntax.isQualifiedNamePart(name)) {
      errors.add("name part " + regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start "
          + "and end with an alphanumeric character", QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
    }
    return errors;
  }

  public static List<String> labelValue(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 63) {
      errors.add(maxLen(63));
    }
    if (!value.isEmpty() && !NameSyntax.isQualifiedNamePart(value)) {
      errors.add(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
          + "or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, "MyValue", "my_value",
          "12345"));
    }
    return errors;
  }

  /** A port name (IANA service name). */
  public static List<String> portName(String value) {
    List<String> errors = new ArrayList<>();
    if (value.length() > 15) {
      errors.add(maxLen(15));
    }
    if (!IANA_SVC_NAME.matcher(value).matches()) {
      errors.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (value.contains("--")) {
      errors.add("must not contain consecutive hyphens");
    }
    if (!value.isEmpty() && (value.startsWith("-") || value.endsWith("-"))) {
      errors.add("must not begin or end with a hyphen");
    }
    if (!HAS_LETTER.matcher(value).matches()) {
      errors.add("must contain at least one letter (a-z)");
    }
    return errors;
  }
}
