package dev.tugboat.runtime.kubelet;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A pod's status from its containers' views, as kubelet computes it: the phase (kubelet's getPhase without init
 * containers), the conditions (a container is ready when it runs and its readiness probe, if any, passes) and each
 * container's status.
 */
final class PodStatuses {

  private PodStatuses() {}

  /**
   * @param restartPolicy Always, OnFailure or Never
   * @param previous      the conditions last reported, so a condition that did not change keeps its transition time
   */
  static PodStatus of(String restartPolicy, List<ContainerView> containers, Instant startTime, String hostIp,
      List<PodCondition> previous, Instant now) {
    String phase = phase(restartPolicy, containers);
    List<String> unready = new ArrayList<>();
    for (ContainerView c : containers) {
      if (!c.ready()) unready.add(c.name());
    }
    boolean ready = unready.isEmpty() && !containers.isEmpty();
    String notReadyReason = phase.equals("Succeeded") || phase.equals("Failed") ? "PodCompleted" : "ContainersNotReady";
    String notReadyMessage = phase.equals("Succeeded") || phase.equals("Failed") ? null
        : "containers with unready status: [" + String.join(" ", unready) + "]";
    boolean started = containers.stream().anyMatch(c -> !(c.state() instanceof ContainerView.State.Waiting)
        || c.last() != null);
    List<PodCondition> conditions = List.of(
        condition("PodReadyToStartContainers", started, null, null, previous, now),
        condition("Initialized", true, null, null, previous, now),
        condition("Ready", ready, notReadyReason, notReadyMessage, previous, now),
        condition("ContainersReady", ready, notReadyReason, notReadyMessage, previous, now),
        condition("PodScheduled", true, null, null, previous, now));
    List<ContainerStatus> statuses = new ArrayList<>();
    for (ContainerView c : containers) statuses.add(status(c));
    return new PodStatusBuilder().withPhase(phase).withConditions(conditions).withContainerStatuses(statuses)
        .withHostIP(hostIp).withStartTime(startTime.toString()).withQosClass(null).build();
  }

  /** kubelet's getPhase for regular containers. */
  static String phase(String restartPolicy, List<ContainerView> containers) {
    int waiting = 0;
    int running = 0;
    int stopped = 0;
    int succeeded = 0;
    for (ContainerView c : containers) {
      if (c.state() instanceof ContainerView.State.Running) {
        running++;
      } else if (c.state() instanceof ContainerView.State.Terminated t) {
        stopped++;
        if (t.exitCode() == 0 && t.signal() == 0) succeeded++;
      } else if (c.last() != null) {
        stopped++;
      } else {
        waiting++;
      }
    }
    if (waiting > 0) return "Pending";
    if (running > 0) return "Running";
    if (stopped == 0) return "Pending";
    if ("Always".equals(restartPolicy)) return "Running";
    if (stopped == succeeded) return "Succeeded";
    return "OnFailure".equals(restartPolicy) ? "Running" : "Failed";
  }

  static ContainerStatus status(ContainerView c) {
    ContainerStatusBuilder builder = new ContainerStatusBuilder().withName(c.name()).withImage(c.image())
        .withImageID(c.imageId() == null ? "" : c.imageId()).withRestartCount(c.restartCount())
        .withState(state(c.state())).withLastState(c.last() == null ? new ContainerState() : state(c.last()))
        .withReady(c.ready())
        .withStarted(c.started());
    if (c.containerId() != null) builder.withContainerID(c.containerId());
    return builder.build();
  }

  private static ContainerState state(ContainerView.State state) {
    if (state instanceof ContainerView.State.Waiting w) {
      return new ContainerStateBuilder().withNewWaiting().withReason(w.reason()).withMessage(w.message()).endWaiting()
          .build();
    }
    if (state instanceof ContainerView.State.Running r) {
      return new ContainerStateBuilder().withNewRunning().withStartedAt(r.startedAt().toString()).endRunning().build();
    }
    ContainerView.State.Terminated t = (ContainerView.State.Terminated) state;
    return new ContainerStateBuilder().withNewTerminated()
          .withExitCode(t.signal() != 0 ? 128 + t.signal() : t.exitCode()).withSignal(t.signal() == 0 ? null : t.signal())
          .withReason(t.reason()).withMessage(t.message())
          .withStartedAt(t.startedAt() == null ? null : t.startedAt().toString())
          .withFinishedAt(t.finishedAt().toString()).withContainerID(t.containerId()).endTerminated().build();
  }

  private static PodCondition condition(String type, boolean status, String reason, String message,
      List<PodCondition> previous, Instant now) {
    String value = status ? "True" : "False";
    String since = now.toString();
    for (PodCondition p : previous) {
      if (p.getType().equals(type) && value.equals(p.getStatus()) && p.getLastTransitionTime() != null) {
        since = p.getLastTransitionTime();
      }
    }
    return new PodConditionBuilder().withType(type).withStatus(value).withReason(status ? null : reason)
        .withMessage(status ? null : message).withLastTransitionTime(since).build();
  }
}
