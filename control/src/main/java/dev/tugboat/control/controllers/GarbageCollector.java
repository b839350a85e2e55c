package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's garbage collector for the namespaced kinds this cluster serves: carries out
 * {@link OwnerReferencesPlan}, so deleting a ReplicaSet deletes its pods (Background, kubectl's default), keeps them
 * with the reference gone (Orphan), or deletes them before the ReplicaSet goes (Foreground). Level-triggered: an
 * event that can matter (a deletion, an object marked for deletion with a finalizer of ours, a new object with
 * owners) marks its namespace for a pass that lists the namespace's objects now; namespaces where owners were seen
 * are passed again every {@link #RESYNC}.
 */
public final class GarbageCollector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  static final Duration RESYNC = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.shared();

  /** A kind the collector lists: its API coordinates. */
  record Kind(String group, String resource, String name) {}

  static final List<Kind> KINDS = List.of(new Kind("", "pods", "Pod"), new Kind("", "services", "Service"),
      new Kind("", "endpoints", "Endpoints"), new Kind("", "configmaps", "ConfigMap"),
      new Kind("", "secrets", "Secret"), new Kind("", "serviceaccounts", "ServiceAccount"),
      new Kind("apps", "deployments", "Deployment"), new Kind("apps", "replicasets", "ReplicaSet"),
      new Kind("coordination.k8s.io", "leases", "Lease"),
      new Kind("discovery.k8s.io", "endpointslices", "EndpointSlice"));
  private static final Set<String> KIND_NAMES = KINDS.stream().map(Kind::name).collect(Collectors.toSet());
  private static final Map<String, Kind> BY_NAME = KINDS.stream().collect(Collectors.toMap(Kind::name, k -> k));

  private final LoopbackClient api;
  private final Set<String> withOwners = ConcurrentHashMap.newKeySet();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Semaphore wake = new Semaphore(0);
  private final Thread worker;
  private volatile boolean closed;

  private GarbageCollector(LoopbackClient api) {
    this.api = api;
    this.worker = new Thread(this::loop, "tug-garbage-collector");
    this.worker.setDaemon(true);
  }

  public static GarbageCollector start(LoopbackClient api) {
    GarbageCollector collector = new GarbageCollector(api);
    for (Kind kind : KINDS) {
      collector.watch(kind);
    }
    for (Kind kind : KINDS) {
      for (JsonNode object : api.list(kind.group(), "v1", kind.resource(), null, null)) {
        if (matters("ADDED", object)) collector.dirty.add(object.path("metadata").path("namespace").asString(""));
      }
    }
    collector.worker.start();
    return collector;
  }

  /** Whether an event can change what the collector does: everything else (most pod status updates) is skipped. */
  static boolean matters(String type, JsonNode object) {
    JsonNode meta = object.path("metadata");
    return type.equals("DELETED") || !meta.path("ownerReferences").isEmpty()
        || OwnerReferencesPlan.finalizing(object, OwnerReferencesPlan.ORPHAN)
        || OwnerReferencesPlan.finalizing(object, OwnerReferencesPlan.FOREGROUND);
  }

  private void watch(Kind kind) {
    if (closed) return;
    try {
      api.watch(kind.group(), "v1", kind.resource(), null, new LoopbackClient.WatchHandler() {
        @Override
        public boolean onEvent(String type, JsonNode object) {
          if (matters(type, object)) {
            String namespace = object.path("metadata").path("namespace").asString("");
            withOwners.add(namespace);
            markDirty(namespace);
          }
          return !closed;
        }

        @Override
        public void onEnd() {
          if (!closed) watch(kind);
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("watch {}: {}", kind.resource(), e.toString());
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
          dirty.addAll(withOwners);
          nextResync = System.nanoTime() + RESYNC.toNanos();
        }
        for (String namespace : List.copyOf(dirty)) {
          dirty.remove(namespace);
          collect(namespace);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("garbage collection pass: {}", e.toString());
      }
    }
  }

  /** One pass over a namespace. */
  void collect(String namespace) {
    Map<String, JsonNode> objects = new HashMap<>();
    for (Kind kind : KINDS) {
      for (JsonNode object : api.list(kind.group(), "v1", kind.resource(), namespace, null)) {
        ((ObjectNode) object).put("kind", kind.name());
        objects.put(object.path("metadata").path("uid").asString(""), object);
      }
    }
    OwnerReferencesPlan plan = OwnerReferencesPlan.of(objects, KIND_NAMES);
    if (plan.deletes().isEmpty() && plan.repoints().isEmpty() && plan.unfinalizes().isEmpty()
        && objects.values().stream().noneMatch(o -> !o.path("metadata").path("ownerReferences").isEmpty())) {
      withOwners.remove(namespace);
    }
    try {
      for (JsonNode object : plan.deletes()) {
        Kind kind = BY_NAME.get(object.path("kind").asString(""));
        String name = object.path("metadata").path("name").asString("");
        try {
          api.delete(kind.group(), "v1", kind.resource(), namespace, name, "Background");
          LOG.info("garbage collector: deleted {} {}/{}: its owners are gone", kind.name(), namespace, name);
        } catch (StatusError gone) {
          if (gone.code() != 404) throw gone;
        }
      }
      for (OwnerReferencesPlan.Repoint repoint : plan.repoints()) {
        patchMetadata(repoint.object(), "ownerReferences", repoint.owners());
      }
      for (OwnerReferencesPlan.Unfinalize done : plan.unfinalizes()) {
        patchMetadata(done.object(), "finalizers",
            OwnerReferencesPlan.finalizersWithout(done.object(), done.finalizer()));
      }
    } catch (StatusError e) {
      // changed meanwhile: the namespace's next pass sees it as it is
      LOG.debug("garbage collection in {}: {}", namespace, e.getMessage());
      markDirty(namespace);
    }
  }

  private void markDirty(String namespace) {
    if (dirty.add(namespace)) wake.release();
  }

  /**
   * A merge patch of one list in the object's metadata, only if the object has not changed since it was read; an
   * empty list removes the field, as Kubernetes leaves an empty one out.
   */
  private void patchMetadata(JsonNode object, String field, ArrayNode value) {
    Kind kind = BY_NAME.get(object.path("kind").asString(""));
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    if (value.isEmpty()) {
      metadata.putNull(field);
    } else {
      metadata.set(field, value);
    }
    metadata.put("resourceVersion", object.path("metadata").path("resourceVersion").asString(""));
    api.mergePatch(kind.group(), "v1", kind.resource(), null, object.path("metadata").path("namespace").asString(""),
        object.path("metadata").path("name").asString(""), patch);
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
