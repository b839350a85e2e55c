package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's garbage collector for the namespaced kinds this cluster serves: carries out
 * {@link OwnerReferencesPlan}, so deleting a ReplicaSet deletes its pods (Background, kubectl's default), keeps them
 * with the reference gone (Orphan), or deletes them before the ReplicaSet goes (Foreground). An event that can
 * matter (a deletion, an object marked for deletion with a finalizer of ours, an object with owners) marks its
 * namespace for a pass ({@link NamespacePasses}) that lists the namespace's objects now.
 */
public final class GarbageCollector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(GarbageCollector.class);
  static final Duration RESYNC = Duration.ofSeconds(30);

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
  private final NamespacePasses passes;

  private GarbageCollector(LoopbackClient api) {
    this.api = api;
    this.passes = new NamespacePasses("garbage-collector", api, RESYNC, this::collect);
  }

  public static GarbageCollector start(LoopbackClient api) {
    GarbageCollector collector = new GarbageCollector(api);
    collector.passes.start(KINDS.stream()
        .map(k -> new NamespacePasses.Watched(k.group(), k.resource(), true, GarbageCollector::matters)).toList());
    return collector;
  }

  /** Whether an event can change what the collector does: everything else (most pod status updates) is skipped. */
  static boolean matters(String type, JsonNode object) {
    JsonNode meta = object.path("metadata");
    return type.equals("DELETED") || !meta.path("ownerReferences").isEmpty()
        || OwnerReferencesPlan.finalizing(object, OwnerReferencesPlan.ORPHAN)
        || OwnerReferencesPlan.finalizing(object, OwnerReferencesPlan.FOREGROUND);
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
      passes.forget(namespace);
    }
    try {
      for (JsonNode object : plan.deletes()) {
        Kind kind = BY_NAME.get(object.path("kind").asString(""));
        OwnerPatches.deleteIfThere(api, kind.group(), kind.resource(), object, "Background");
        LOG.info("garbage collector: deleted {} {}/{}: its owners are gone", kind.name(), namespace,
            object.path("metadata").path("name").asString(""));
      }
      for (OwnerReferencesPlan.Repoint repoint : plan.repoints()) {
        Kind kind = BY_NAME.get(repoint.object().path("kind").asString(""));
        OwnerPatches.setOwners(api, kind.group(), kind.resource(), repoint.object(), repoint.owners());
      }
      for (OwnerReferencesPlan.Unfinalize done : plan.unfinalizes()) {
        Kind kind = BY_NAME.get(done.object().path("kind").asString(""));
        OwnerPatches.metadataList(api, kind.group(), kind.resource(), done.object(), "finalizers",
            OwnerReferencesPlan.finalizersWithout(done.object(), done.finalizer()));
      }
    } catch (StatusError e) {
      // changed meanwhile: the namespace's next pass sees it as it is
      LOG.debug("garbage collection in {}: {}", namespace, e.getMessage());
      passes.again(namespace);
    }
  }

  @Override
  public void close() {
    passes.close();
  }
}
