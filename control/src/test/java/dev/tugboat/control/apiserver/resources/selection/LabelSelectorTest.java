package dev.tugboat.control.apiserver.resources.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorTest {

  private static final Map<String, String> WEB = Map.of("app", "web", "tier", "front", "replicas", "3");

  @ParameterizedTest(name = "{0} matches: {1}")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "app=web                  | true",
      "app==web                 | true",
      "app!=web                 | false",
      "app!=db                  | true",
      "missing!=x               | true",
      "app in (web,db)          | true",
      "app in (db)              | false",
      "app notin (db)           | true",
      "app notin (web)          | false",
      "missing notin (x)        | true",
      "app                      | true",
      "missing                  | false",
      "!missing                 | true",
      "!app                     | false",
      "app=web,tier=front       | true",
      "app=web,tier=back        | false",
      "app=web, tier in (front) | true",
      "replicas>2               | true",
      "replicas<3               | false",
      "app=                     | false",
      "\"\"                     | true"})
  void matchesLikeKubernetes(String selector, boolean matches) {
    assertThat(LabelSelector.parse(selector).matches(WEB)).isEqualTo(matches);
  }

  @Test
  void emptyValueMatchesAnEmptyLabel() {
    assertThat(LabelSelector.parse("a=").matches(Map.of("a", ""))).isTrue();
  }

  @Test
  void parseErrorsSayWhatWasFoundAndExpected() {
    assertThatThrownBy(() -> LabelSelector.parse("app in (web"))
        .isInstanceOf(SelectorException.class).hasMessage("unable to parse requirement: found '', expected: ',' or ')'");
    assertThatThrownBy(() -> LabelSelector.parse("app in web"))
        .isInstanceOf(SelectorException.class).hasMessage("unable to parse requirement: found 'web', expected: '('");
    assertThatThrownBy(() -> LabelSelector.parse("app=web tier=x"))
        .isInstanceOf(SelectorException.class).hasMessageContaining("found 'tier', expected: ',' or 'end of string'");
    assertThatThrownBy(() -> LabelSelector.parse(",app"))
        .isInstanceOf(SelectorException.class).hasMessageContaining("found ',', expected: identifier");
    assertThatThrownBy(() -> LabelSelector.parse("replicas>x"))
        .isInstanceOf(SelectorException.class).hasMessageContaining("must be an integer");
  }

  @Test
  void invalidKeysAndValuesAreRejectedWithValidationMessages() {
    assertThatThrownBy(() -> LabelSelector.parse("-bad=x"))
        .isInstanceOf(SelectorException.class).hasMessageContaining("key: Invalid value: \"-bad\"")
        .hasMessageContaining("name part must consist of alphanumeric characters");
    assertThatThrownBy(() -> LabelSelector.parse("app=-x"))
        .isInstanceOf(SelectorException.class).hasMessageContaining("Invalid value: \"-x\"");
  }

  @Test
  void labelSelectorObjectsPrintInKubernetesForm() {
    var selector = LabelSelector.fromObject(dev.tugboat.control.apiserver.resources.Codec.JSON.readTree(
        "{\"matchLabels\":{\"b\":\"2\",\"a\":\"1\"},\"matchExpressions\":[{\"key\":\"t\",\"operator\":\"In\","
            + "\"values\":[\"y\",\"x\"]},{\"key\":\"c\",\"operator\":\"DoesNotExist\"}]}"));
    assertThat(selector.toString()).isEqualTo("a=1,b=2,t in (x,y),!c");
    assertThat(selector.matches(Map.of("a", "1", "b", "2", "t", "x"))).isTrue();
    assertThat(selector.matches(Map.of("a", "1", "b", "2", "t", "x", "c", ""))).isFalse();
  }
}
