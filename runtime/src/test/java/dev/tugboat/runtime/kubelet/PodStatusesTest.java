package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodStatusesTest {

  private static final Instant T0 = Instant.parse("2026-11-28T05:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-28T05:00:05Z");

  private static ContainerView waiting(String name) {
    return new ContainerView(name, "busybox:test", null, null,
        new ContainerView.State.Waiting("ContainerCreating", null), null, 0);
  }

  private static ContainerView running(String name) {
    return new ContainerView(name, "busybox:test", "sha256:1", "tugboat://x", new ContainerView.State.Running(T0), null,
        0);
  }

  private static ContainerView.State.Terminated ended(int code) {
    return new ContainerView.State.Terminated(code, 0, ContainerView.exitReason(code, false), null, T0, T1, "tugboat://x");
  }

  private static ContainerView terminated(String name, int code) {
    return new ContainerView(name, "busybox:test", "sha256:1", "tugboat://x", ended(code), null, 0);
  }

  private static ContainerView backingOff(String name, int code) {
    return new ContainerView(name, "busybox:test", "sha256:1", "tugboat://x",
        new ContainerView.State.Waiting("CrashLoopBackOff", "back-off"), ended(code), 1);
  }

  @Test
  void aPodIsPendingWhileAnyContainerHasNeverStarted() {
    assertThat(PodStatuses.phase("Always", List.of(running("a"), waiting("b")))).isEqualTo("Pending");
    assertThat(PodStatuses.phase("Always", List.of())).isEqualTo("Pending");
  }

  @Test
  void aPodIsRunningWhileAnyContainerRunsOrWillBeRestarted() {
    assertThat(PodStatuses.phase("Never", List.of(running("a"), terminated("b", 1)))).isEqualTo("Running");
    assertThat(PodStatuses.phase("Always", List.of(terminated("a", 0)))).isEqualTo("Running");
    assertThat(PodStatuses.phase("Always", List.of(backingOff("a", 1)))).isEqualTo("Running");
    assertThat(PodStatuses.phase("OnFailure", List.of(terminated("a", 1)))).isEqualTo("Running");
  }

  @Test
  void aPodThatWillNotRestartEndsSucceededOrFailed() {
    assertThat(PodStatuses.phase("Never", List.of(terminated("a", 0), terminated("b", 0)))).isEqualTo("Succeeded");
    assertThat(PodStatuses.phase("OnFailure", List.of(terminated("a", 0)))).isEqualTo("Succeeded");
    assertThat(PodStatuses.phase("Never", List.of(terminated("a", 0), terminated("b", 2)))).isEqualTo("Failed");
  }

  @Test
  void readyWhenEveryContainerRunsAndTransitionTimesStayWhileAConditionHolds() {
    PodCondition readySince = new PodConditionBuilder().withType("Ready").withStatus("True")
        .withLastTransitionTime("2026-11-28T04:00:00Z").build();
    PodStatus status = PodStatuses.of("Always", List.of(running("a"), running("b")), T0, "10.0.0.7",
        List.of(readySince), T1);
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getHostIP()).isEqualTo("10.0.0.7");
    PodCondition ready = status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().get();
    assertThat(ready.getStatus()).isEqualTo("True");
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-28T04:00:00Z");
    assertThat(status.getContainerStatuses()).extracting(s -> s.getReady()).containsExactly(true, true);
  }

  @Test
  void notReadyNamesTheContainersThatAreNot() {
    PodStatus status = PodStatuses.of("Always", List.of(running("a"), backingOff("b", 1)), T0, "h", List.of(), T1);
    PodCondition ready = status.getConditions().stream().filter(c -> c.getType().equals("ContainersReady")).findFirst()
        .get();
    assertThat(ready.getStatus()).isEqualTo("False");
    assertThat(ready.getReason()).isEqualTo("ContainersNotReady");
    assertThat(ready.getMessage()).isEqualTo("containers with unready status: [b]");
    var b = status.getContainerStatuses().get(1);
    assertThat(b.getState().getWaiting().getReason()).isEqualTo("CrashLoopBackOff");
    assertThat(b.getLastState().getTerminated().getExitCode()).isEqualTo(1);
    assertThat(b.getLastState().getTerminated().getReason()).isEqualTo("Error");
    assertThat(b.getRestartCount()).isEqualTo(1);
  }

  @Test
  void aSignalledExitIsReportedAs128PlusTheSignal() {
    ContainerView killed = new ContainerView("a", "i", null, null,
        new ContainerView.State.Terminated(0, 9, "Error", null, T0, T1, "tugboat://x"), null, 0);
    var state = PodStatuses.status(killed).getState().getTerminated();
    assertThat(state.getExitCode()).isEqualTo(137);
    assertThat(state.getSignal()).isEqualTo(9);
    assertThat(ContainerView.exitReason(137, true)).isEqualTo("OOMKilled");
    assertThat(ContainerView.exitReason(0, false)).isEqualTo("Completed");
  }

  @Test
  void aRunningContainerWhoseStartupProbeHasNotPassedIsNeitherStartedNorReady() {
    ContainerView starting = new ContainerView("a", "i", "sha256:1", "tugboat://x", new ContainerView.State.Running(T0),
        null, 0, false, false);
    PodStatus status = PodStatuses.of("Always", List.of(starting), T0, "10.0.0.1", List.of(), T1);
    assertThat(status.getContainerStatuses().get(0).getStarted()).isFalse();
    assertThat(status.getContainerStatuses().get(0).getReady()).isFalse();
    assertThat(status.getPhase()).isEqualTo("Running");
    assertThat(status.getConditions()).filteredOn(c -> c.getType().equals("Ready")).first()
        .extracting(PodCondition::getStatus).isEqualTo("False");
    assertThat(PodStatuses.status(running("a")).getStarted()).isTrue();
    assertThat(PodStatuses.status(terminated("a", 0)).getStarted()).isFalse();
  }
}
