package dev.tugboat.control.apiserver.resources.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FieldSelectorTest {

  private static final Set<String> FIELDS = Set.of("metadata.name", "spec.nodeName", "status.phase");

  @Test
  void equalityAndInequalityTermsAllMustHold() {
    Map<String, String> pod = Map.of("metadata.name", "web", "spec.nodeName", "n1", "status.phase", "Running");
    assertThat(FieldSelector.parse("spec.nodeName=n1", FIELDS).matches(pod)).isTrue();
    assertThat(FieldSelector.parse("spec.nodeName==n1,status.phase!=Failed", FIELDS).matches(pod)).isTrue();
    assertThat(FieldSelector.parse("spec.nodeName=n2", FIELDS).matches(pod)).isFalse();
    assertThat(FieldSelector.parse("spec.nodeName!=n1", FIELDS).matches(pod)).isFalse();
    assertThat(FieldSelector.parse("spec.nodeName=", FIELDS).matches(Map.of("spec.nodeName", ""))).isTrue();
    assertThat(FieldSelector.parse("", FIELDS).isEverything()).isTrue();
  }

  @Test
  void unsupportedFieldsAreRefusedAsKubernetesDoes() {
    assertThatThrownBy(() -> FieldSelector.parse("spec.unknown=x", FIELDS))
        .isInstanceOf(SelectorException.class).hasMessage("field label not supported: spec.unknown");
  }

  @Test
  void termsWithoutAnOperatorAreInvalid() {
    assertThatThrownBy(() -> FieldSelector.parse("metadata.name", FIELDS))
        .isInstanceOf(SelectorException.class).hasMessageContaining("invalid selector");
  }

  @Test
  void escapedSeparatorsArePartOfTheValue() {
    FieldSelector selector = FieldSelector.parse("metadata.name=a\\,b", FIELDS);
    assertThat(selector.requiredValue("metadata.name")).isEqualTo("a,b");
  }
}
