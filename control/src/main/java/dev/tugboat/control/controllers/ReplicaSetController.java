package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's ReplicaSet controller: keeps each ReplicaSet's pods at {@code spec.replicas} and its
 * status current, carrying out {@link ReplicaSetPlan}. Level-triggered: watches of ReplicaSets and pods only mark
 * their namespace for a pass, which lists what is there now (reads are the store's, so a pod created by the last
 * pass is seen by the next); a pass over every namespace with ReplicaSets also runs every {@link #RESYNC}, which is
 * when a pod ready for minReadySeconds is counted available. Pod events of namespaces without ReplicaSets cost
 * nothing but the event.
 */
public final class ReplicaSetController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);
  static final Duration RESYNC = Duration.ofSeconds(5);
  private static final JsonMapper JSON = JsonMapper.shared();

  private final LoopbackClient api;
  private final Clock clock;
  /** Namespaces that hold ReplicaSets (as last seen), and those with a change since their last pass. */
  private final Set<String> withReplicaSets = ConcurrentHashMap.newKeySet();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Semaphore wake = new Semaphore(0);
  private final Thread worker;
  private volatile boolean closed;

  private ReplicaSetController(LoopbackClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.worker = new Thread(this::loop, "tug-replicaset-controller");
    this.worker.setDaemon(true);
  }

  public static ReplicaSetController start(LoopbackClient api, Clock clock) {
    ReplicaSetController controller = new ReplicaSetController(api, clock);
    controller.watch("apps", "replicasets", true);
    controller.watch("", "pods", false);
    for (JsonNode rs : api.list("apps", "v1", "replicasets", null, null)) {
      controller.withReplicaSets.add(rs.path("metadata").path("namespace").asString(""));
    }
    controller.dirty.addAll(controller.withReplicaSets);
    controller.worker.start();
    return controller;
  }

  private void watch(String group, String resource, boolean replicaSets) {
    if (closed) return;
    try {
      api.watch(group, "v1", resource, null, new LoopbackClient.WatchHandler() {
        @Override
        public boolean onEvent(String type, JsonNode object) {
          String namespace = object.path("metadata").path("namespace").asString("");
          if (replicaSets) withReplicaSets.add(namespace);
          if (withReplicaSets.contains(namespace) && dirty.add(namespace)) wake.release();
          return !closed;
        }

        @Override
        public void onEnd() {
          // ended by the watch cache (closed, or too slow a reader): the resync pass covers the gap
          if (!closed) watch(group, resource, replicaSets);
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("watch {}: {}", resource, e.toString());
    }
  }

  private void loop() {
    long nextResync = System.nanoTime() + RESYNC.toNanos();
    while (!closed) {
      try {
        wake.tryAcquire(Math.max(1, (nextResync - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        wake.drainPermits();
        if (closed) return;
        if (System.nanoTime() >= nextResync) {
          dirty.addAll(withReplicaSets);
          nextResync = System.nanoTime() + RESYNC.toNanos();
        }
        for (String namespace : List.copyOf(dirty)) {
          dirty.remove(namespace);
          syncNamespace(namespace);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("replicaset pass: {}", e.toString());
      }
    }
  }

  /** One pass over a namespace: every ReplicaSet in it synced against the pods there now. */
  void syncNamespace(String namespace) {
    List<JsonNode> replicaSets = api.list("apps", "v1", "replicasets", namespace, null);
    if (replicaSets.isEmpty()) {
      withReplicaSets.remove(namespace);
      return;
    }
    List<JsonNode> pods = api.list("", "v1", "pods", namespace, null);
    for (JsonNode rs : replicaSets) {
      try {
        carryOut(rs, ReplicaSetPlan.of(rs, pods, clock.instant()));
      } catch (StatusError e) {
        // changed meanwhile (a conflict, a pod gone): the namespace's next pass sees it as it is
        LOG.debug("replicaset {}/{}: {}", namespace, rs.path("metadata").path("name").asString(""), e.getMessage());
        dirty.add(namespace);
      }
    }
  }

  private void carryOut(JsonNode rs, ReplicaSetPlan plan) {
    String namespace = rs.path("metadata").path("namespace").asString("");
    String name = rs.path("metadata").path("name").asString("");
    for (JsonNode pod : plan.adoptions()) {
      setOwners(pod, ReplicaSetPlan.ownerReferences(pod, rs, true));
    }
    for (JsonNode pod : plan.releases()) {
      setOwners(pod, ReplicaSetPlan.ownerReferences(pod, rs, false));
    }
    for (ObjectNode pod : plan.creates()) {
      api.create("", "v1", "pods", null, namespace, null, pod);
    }
    if (!plan.creates().isEmpty()) LOG.info("replicaset {}/{}: created {} pods", namespace, name, plan.creates().size());
    for (JsonNode pod : plan.deletes()) {
      try {
        api.delete("", "v1", "pods", namespace, pod.path("metadata").path("name").asString(""), null);
      } catch (StatusError gone) {
        if (gone.code() != 404) throw gone;
      }
    }
    if (!plan.deletes().isEmpty()) LOG.info("replicaset {}/{}: deleted {} pods", namespace, name, plan.deletes().size());
    JsonNode current = rs.path("status");
    boolean changed = false;
    for (var field : plan.status().properties()) {
      if (!current.path(field.getKey()).equals(field.getValue())) changed = true;
    }
    if (changed) {
      ObjectNode patch = JSON.createObjectNode();
      patch.set("status", plan.status());
      api.mergePatch("apps", "v1", "replicasets", "status", namespace, name, patch);
    }
  }

  /** The pod's ownerReferences replaced, only if the pod has not changed since it was read. */
  private void setOwners(JsonNode pod, JsonNode owners) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode meta = patch.putObject("metadata");
    meta.set("ownerReferences", owners);
    meta.put("resourceVersion", pod.path("metadata").path("resourceVersion").asString(""));
    api.mergePatch("", "v1", "pods", null, pod.path("metadata").path("namespace").asString(""),
        pod.path("metadata").path("name").asString(""), patch);
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
