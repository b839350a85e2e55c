package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.apiserver.resources.Timestamps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's node lifecycle controller, its health part: every {@link #MONITOR_PERIOD} it looks at
 * each Node and its Lease in kube-node-lease, and a node not heard from for the grace period
 * ({@code --node-monitor-grace-period}, 40 s by default) gets Ready=Unknown (see {@link NodeHealth}); the pods bound
 * to it become not Ready. The node agent's next status update sets Ready=True again.
 */
public final class NodeLifecycleController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeLifecycleController.class);
  public static final Duration DEFAULT_GRACE = Duration.ofSeconds(40);
  /** kube-controller-manager's --node-monitor-period. */
  static final Duration MONITOR_PERIOD = Duration.ofSeconds(5);
  static final String LEASE_NAMESPACE = "kube-node-lease";

  private final LoopbackClient api;
  private final Clock clock;
  private final Duration grace;
  private final Map<String, NodeHealth.Observation> observed = new HashMap<>();
  private final ScheduledExecutorService timer;

  private NodeLifecycleController(LoopbackClient api, Clock clock, Duration grace) {
    this.api = api;
    this.clock = clock;
    this.grace = grace;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "tug-node-lifecycle");
      thread.setDaemon(true);
      return thread;
    });
  }

  public static NodeLifecycleController start(LoopbackClient api, Clock clock, Duration grace) {
    NodeLifecycleController controller = new NodeLifecycleController(api, clock, grace);
    long period = Math.min(MONITOR_PERIOD.toMillis(), Math.max(grace.toMillis() / 4, 100));
    controller.timer.scheduleWithFixedDelay(controller::monitorQuietly, 0, period, TimeUnit.MILLISECONDS);
    return controller;
  }

  private void monitorQuietly() {
    try {
      monitor();
    } catch (RuntimeException e) {
      LOG.warn("node health pass: {}", e.toString());
    }
  }

  void monitor() {
    Map<String, JsonNode> leases = new HashMap<>();
    for (JsonNode lease : api.list("coordination.k8s.io", "v1", "leases", LEASE_NAMESPACE, null)) {
      leases.put(lease.path("metadata").path("name").asString(""), lease);
    }
    Instant now = clock.instant();
    Map<String, NodeHealth.Observation> seen = new HashMap<>();
    for (JsonNode node : api.list("", "v1", "nodes", null, null)) {
      String name = node.path("metadata").path("name").asString("");
      NodeHealth.Observation observation = NodeHealth.observe(observed.get(name),
          NodeHealth.heartbeat(node, leases.get(name)), now);
      seen.put(name, observation);
      if (!NodeHealth.expired(observation, now, grace)) continue;
      String time = Timestamps.format(now);
      ObjectNode unknown = NodeHealth.unknownStatus(node, time);
      if (unknown == null) continue;
      try {
        api.mergePatch("", "v1", "nodes", "status", null, name, unknown);
        LOG.info("node {}: not heard from for {} s: Ready=Unknown", name, grace.toSeconds());
      } catch (StatusError e) {
        LOG.warn("node {}: mark Unknown: {}", name, e.getMessage());
        continue;
      }
      for (JsonNode pod : api.list("", "v1", "pods", null, "spec.nodeName=" + name)) {
        ObjectNode notReady = NodeHealth.podNotReady(pod, time);
        if (notReady == null) continue;
        try {
          api.mergePatch("", "v1", "pods", "status", pod.path("metadata").path("namespace").asString(),
              pod.path("metadata").path("name").asString(), notReady);
        } catch (StatusError e) {
          LOG.debug("pod {}: mark not ready: {}", pod.path("metadata").path("name").asString(), e.getMessage());
        }
      }
    }
    observed.clear();
    observed.putAll(seen);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
