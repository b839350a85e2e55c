package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

/** A probe's result changes only after its thresholds of results in a row, as kubelet keeps it. */
class ProbeStateTest {

  @Test
  void readinessStartsFailedAndTurnsAfterItsThresholds() {
    ProbeState state = ProbeState.readiness(2, 3);
    assertThat(state.result()).isFalse();
    state = state.observe(true);
    assertThat(state.result()).as("one success of two").isFalse();
    state = state.observe(true);
    assertThat(state.result()).isTrue();
    state = state.observe(false).observe(false);
    assertThat(state.result()).as("two failures of three").isTrue();
    state = state.observe(true).observe(false).observe(false);
    assertThat(state.result()).as("a success in between starts the count again").isTrue();
    state = state.observe(false);
    assertThat(state.result()).isFalse();
  }

  @Test
  void livenessStartsSucceededWithKubernetesDefaults() {
    ProbeState state = ProbeState.liveness(null);
    assertThat(state.result()).isTrue();
    assertThat(state.observe(false).observe(false).result()).isTrue();
    assertThat(state.observe(false).observe(false).observe(false).result()).isFalse();
    assertThat(state.observe(false).observe(false).observe(false).observe(true).result()).isTrue();
    assertThat(ProbeState.readiness(null, null).observe(true).result()).isTrue();
    assertThat(ProbeState.liveness(1).observe(false).result()).isFalse();
  }

  @Test
  void startupStartsFailedSucceedsOnceAndIsExhaustedAfterItsFailureThreshold() {
    ProbeState state = ProbeState.startup(3);
    assertThat(state.result()).isFalse();
    assertThat(state.observe(true).result()).as("successThreshold is 1").isTrue();
    state = state.observe(false).observe(false);
    assertThat(state.exhausted()).as("two failures of three").isFalse();
    assertThat(state.observe(true).observe(false).observe(false).exhausted()).as("a success resets the count")
        .isFalse();
    state = state.observe(false);
    assertThat(state.exhausted()).isTrue();
    assertThat(state.result()).isFalse();
    assertThat(ProbeState.startup(null).observe(false).observe(false).observe(false).exhausted())
        .as("Kubernetes' default failureThreshold 3").isTrue();
  }

  @Test
  void aProbePortIsANumberOrAContainerPortsName() {
    var ports = List.of(new ContainerPortBuilder().withName("http").withContainerPort(8080).build());
    assertThat(Prober.port(new IntOrString(9090), ports)).isEqualTo(9090);
    assertThat(Prober.port(new IntOrString("http"), ports)).isEqualTo(8080);
    Assertions.assertThatThrownBy(() -> Prober.port(new IntOrString("grpc"), ports))
        .hasMessageContaining("probe port grpc names no container port");
  }
}
