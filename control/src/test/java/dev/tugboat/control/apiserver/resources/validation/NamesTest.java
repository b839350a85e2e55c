package dev.tugboat.control.apiserver.resources.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NamesTest {

  @Test
  void dns1123SubdomainsAllowDotsButNotCapitals() {
    assertThat(Names.dns1123Subdomain("my.app-1")).isEmpty();
    assertThat(Names.dns1123Subdomain("My")).containsExactly("a lowercase RFC 1123 subdomain must consist of lower "
        + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
        + "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])"
        + "?)*')");
    assertThat(Names.dns1123Subdomain("a".repeat(254))).contains("must be no more than 253 characters");
  }

  @Test
  void dns1123LabelsAllowNoDots() {
    assertThat(Names.dns1123Label("kube-system")).isEmpty();
    assertThat(Names.dns1123Label("a.b")).hasSize(1);
    assertThat(Names.dns1123Label("a".repeat(64))).contains("must be no more than 63 characters");
  }

  @Test
  void dns1035LabelsStartWithALetter() {
    assertThat(Names.dns1035Label("web")).isEmpty();
    assertThat(Names.dns1035Label("1web").get(0)).startsWith("a DNS-1035 label must consist of lower case");
  }

  @Test
  void qualifiedNamesHaveAnOptionalPrefix() {
    assertThat(Names.qualifiedName("app.kubernetes.io/name")).isEmpty();
    assertThat(Names.qualifiedName("Name_1")).isEmpty();
    assertThat(Names.qualifiedName("/name")).containsExactly("prefix part must be non-empty");
    assertThat(Names.qualifiedName("a/b/c").get(0)).startsWith("a qualified name must consist of");
    assertThat(Names.qualifiedName("-x").get(0)).startsWith("name part must consist of alphanumeric characters");
    assertThat(Names.qualifiedName("Bad.Prefix/x").get(0)).startsWith("prefix part a lowercase RFC 1123 subdomain");
  }

  @Test
  void labelValuesMayBeEmpty() {
    assertThat(Names.labelValue("")).isEmpty();
    assertThat(Names.labelValue("v1.2_3")).isEmpty();
    assertThat(Names.labelValue("a b").get(0)).startsWith("a valid label must be an empty string or consist of");
  }

  @Test
  void portNamesAreIanaServiceNames() {
    assertThat(Names.portName("http")).isEmpty();
    assertThat(Names.portName("http--x")).contains("must not contain consecutive hyphens");
    assertThat(Names.portName("8080")).contains("must contain at least one letter (a-z)");
    assertThat(Names.portName("a-very-long-port-name")).contains("must be no more than 15 characters");
  }

  @Test
  void quantitiesParseWithKubernetesSuffixes() {
    assertThat(Quantity.parse("100m")).isEqualByComparingTo("0.1");
    assertThat(Quantity.parse("1Gi")).isEqualByComparingTo("1073741824");
    assertThat(Quantity.parse("1.5k")).isEqualByComparingTo("1500");
    assertThat(Quantity.parse("2e3")).isEqualByComparingTo("2000");
    assertThat(Quantity.parse("1 cpu")).isNull();
    assertThat(Quantity.parse("1Zi")).isNull();
  }
}
