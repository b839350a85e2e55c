package dev.tugboat.runtime.kubelet;

/**
 * One probe's result as kubelet keeps it: it changes only after {@code successThreshold} successes or
 * {@code failureThreshold} failures in a row. A readiness probe starts failed (not ready until it succeeds), a
 * liveness probe starts succeeded, a startup probe starts failed and, unlike readiness, has failed for good once it
 * reaches its failure threshold ({@link #exhausted}). A plain value: each observation returns the next state.
 */
record ProbeState(boolean result, int successes, int failures, int successThreshold, int failureThreshold) {

  static ProbeState readiness(Integer successThreshold, Integer failureThreshold) {
    return new ProbeState(false, 0, 0, orDefault(successThreshold, 1), orDefault(failureThreshold, 3));
  }

  static ProbeState liveness(Integer failureThreshold) {
    // Kubernetes requires successThreshold 1 for liveness.
    return new ProbeState(true, 0, 0, 1, orDefault(failureThreshold, 3));
  }

  static ProbeState startup(Integer failureThreshold) {
    // Kubernetes requires successThreshold 1 for startup too.
    return new ProbeState(false, 0, 0, 1, orDefault(failureThreshold, 3));
  }

  /** A probe that has failed {@code failureThreshold} times in a row: for a startup probe, the container is killed. */
  boolean exhausted() {
    return failures >= failureThreshold;
  }

  ProbeState observe(boolean success) {
    int s = success ? successes + 1 : 0;
    int f = success ? 0 : failures + 1;
    boolean next = result;
    if (success && s >= successThreshold) next = true;
    if (!success && f >= failureThreshold) next = false;
    return new ProbeState(next, s, f, successThreshold, failureThreshold);
  }

  private static int orDefault(Integer value, int fallback) {
    return value == null || value < 1 ? fallback : value;
  }
}
