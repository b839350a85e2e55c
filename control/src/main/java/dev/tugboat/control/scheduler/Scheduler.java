package dev.tugboat.control.scheduler;

import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.controllers.LoopbackClient;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-scheduler's job for the all-in-one cluster: binds each pod that has no node (and asks for the default
 * scheduler) to the node {@link PodPlacement} picks, through pods/binding, or marks it PodScheduled=False with the
 * reason. Level-triggered: a watch of unscheduled pods only wakes the pass, which lists what is pending now; a pass
 * also runs every {@link #RETRY} so a pod waits for a node no longer than that once one is ready.
 */
public final class Scheduler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);
  static final String DEFAULT_SCHEDULER = "default-scheduler";
  private static final Duration RETRY = Duration.ofSeconds(2);
  private static final String UNSCHEDULED = "spec.nodeName=";

  private final LoopbackClient api;
  private final Clock clock;
  private final Semaphore wake = new Semaphore(0);
  private final Thread worker;
  /** The unschedulable message last written per pod uid, so an unchanged one is not written again. */
  private final Map<String, String> reported = new HashMap<>();
  private volatile boolean closed;

  private Scheduler(LoopbackClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.worker = new Thread(this::loop, "tug-scheduler");
    this.worker.setDaemon(true);
  }

  public static Scheduler start(LoopbackClient api, Clock clock) {
    Scheduler scheduler = new Scheduler(api, clock);
    scheduler.watchPending();
    scheduler.worker.start();
    return scheduler;
  }

  private void watchPending() {
    if (closed) return;
    try {
      api.watch("", "v1", "pods", UNSCHEDULED, new LoopbackClient.WatchHandler() {
        @Override
        public boolean onEvent(String type, JsonNode object) {
          wake.release();
          return !closed;
        }

        @Override
        public void onEnd() {
          // The watch cache ended this watch (closed, or too slow a reader): the retry pass covers the gap.
          if (!closed) watchPending();
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("watch unscheduled pods: {}", e.toString());
    }
  }

  private void loop() {
    while (!closed) {
      try {
        wake.tryAcquire(RETRY.toMillis(), TimeUnit.MILLISECONDS);
        wake.drainPermits();
        if (closed) return;
        schedulePending();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("scheduling pass: {}", e.toString());
      }
    }
  }

  /** One pass: every pending pod bound, or told why it cannot be. */
  void schedulePending() {
    List<JsonNode> pending = api.list("", "v1", "pods", null, UNSCHEDULED).stream()
        .filter(Scheduler::wantsThisScheduler).toList();
    if (pending.isEmpty()) {
      reported.clear();
      return;
    }
    List<JsonNode> nodes = api.list("", "v1", "nodes", null, null);
    Map<String, Integer> podsPerNode = new HashMap<>();
    for (JsonNode node : nodes) {
      if (PodPlacement.unfit(JsonMapper.shared().createObjectNode(), node, 0) != null) continue;
      String name = node.path("metadata").path("name").asString("");
      podsPerNode.put(name, api.list("", "v1", "pods", null, "spec.nodeName=" + name).size());
    }
    for (JsonNode pod : pending) {
      PodPlacement.Decision decision = PodPlacement.place(pod, nodes, podsPerNode);
      String namespace = pod.path("metadata").path("namespace").asString();
      String name = pod.path("metadata").path("name").asString();
      String uid = pod.path("metadata").path("uid").asString();
      if (decision.scheduled()) {
        if (bind(namespace, name, uid, decision.nodeName())) {
          podsPerNode.merge(decision.nodeName(), 1, Integer::sum);
          reported.remove(uid);
        }
      } else if (!decision.unschedulableMessage().equals(reported.get(uid))) {
        markUnschedulable(namespace, name, decision.unschedulableMessage());
        reported.put(uid, decision.unschedulableMessage());
      }
    }
  }

  static boolean wantsThisScheduler(JsonNode pod) {
    String scheduler = pod.path("spec").path("schedulerName").asString("");
    return (scheduler.isEmpty() || scheduler.equals(DEFAULT_SCHEDULER))
        && pod.path("metadata").path("deletionTimestamp").isMissingNode();
  }

  private boolean bind(String namespace, String name, String uid, String node) {
    ObjectNode binding = JsonMapper.shared().createObjectNode();
    binding.put("apiVersion", "v1");
    binding.put("kind", "Binding");
    binding.putObject("metadata").put("name", name).put("namespace", namespace).put("uid", uid);
    binding.putObject("target").put("apiVersion", "v1").put("kind", "Node").put("name", node);
    try {
      api.create("", "v1", "pods", "binding", namespace, name, binding);
      LOG.info("pod {}/{}: bound to node {}", namespace, name, node);
      return true;
    } catch (StatusError e) {
      // Bound or deleted meanwhile: the next pass sees it as it is now.
      LOG.debug("bind pod {}/{} to {}: {}", namespace, name, node, e.getMessage());
      return false;
    }
  }

  private void markUnschedulable(String namespace, String name, String message) {
    ObjectNode patch = JsonMapper.shared().createObjectNode();
    ObjectNode condition = patch.putObject("status").putArray("conditions").addObject();
    condition.put("type", "PodScheduled");
    condition.put("status", "False");
    condition.putNull("lastProbeTime");
    condition.put("lastTransitionTime", dev.tugboat.control.apiserver.resources.Timestamps.format(clock.instant()));
    condition.put("reason", "Unschedulable");
    condition.put("message", message);
    try {
      api.mergePatch("", "v1", "pods", "status", namespace, name, patch);
    } catch (StatusError e) {
      LOG.debug("pod {}/{}: PodScheduled condition: {}", namespace, name, e.getMessage());
    }
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
