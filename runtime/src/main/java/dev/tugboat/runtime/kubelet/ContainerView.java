package dev.tugboat.runtime.kubelet;

import java.time.Instant;

/**
 * What the node agent knows of one container of a pod, the input of {@link PodStatuses}: its current state, the
 * state it ended in last time (if it ran before), and how often it was restarted.
 */
record ContainerView(String name, String image, String imageId, String containerId, State state, State.Terminated last,
    int restartCount, boolean ready, boolean started) {

  /** A container without probes: started and ready while it runs. */
  ContainerView(String name, String image, String imageId, String containerId, State state, State.Terminated last,
      int restartCount) {
    this(name, image, imageId, containerId, state, last, restartCount, state instanceof State.Running,
        state instanceof State.Running);
  }

  sealed interface State {
    record Waiting(String reason, String message) implements State {}

    record Running(Instant startedAt) implements State {}

    record Terminated(int exitCode, int signal, String reason, String message, Instant startedAt, Instant finishedAt,
        String containerId) implements State {}
  }

  /** Kubernetes' reason for an exit: Completed, Error, or OOMKilled when the kernel's OOM killer struck. */
  static String exitReason(int exitCode, boolean oomKilled) {
    if (oomKilled) return "OOMKilled";
    return exitCode == 0 ? "Completed" : "Error";
  }
}
