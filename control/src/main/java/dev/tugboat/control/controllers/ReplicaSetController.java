package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's ReplicaSet controller: keeps each ReplicaSet's pods at {@code spec.replicas} and its
 * status current, carrying out {@link ReplicaSetPlan} a namespace at a time ({@link NamespacePasses}: reads are the
 * store's, so a pod created by one pass is seen by the next). The resync every {@link #RESYNC} is when a pod ready
 * for minReadySeconds is counted available.
 */
public final class ReplicaSetController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaSetController.class);
  static final Duration RESYNC = Duration.ofSeconds(5);
  private static final JsonMapper JSON = JsonMapper.shared();

  private final LoopbackClient api;
  private final Clock clock;
  private final NamespacePasses passes;

  private ReplicaSetController(LoopbackClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.passes = new NamespacePasses("replicaset-controller", api, RESYNC, this::syncNamespace);
  }

  public static ReplicaSetController start(LoopbackClient api, Clock clock) {
    ReplicaSetController controller = new ReplicaSetController(api, clock);
    controller.passes.start(List.of(new NamespacePasses.Watched("apps", "replicasets", true),
        new NamespacePasses.Watched("", "pods", false)));
    return controller;
  }

  /** One pass over a namespace: every ReplicaSet in it synced against the pods there now. */
  void syncNamespace(String namespace) {
    List<JsonNode> replicaSets = api.list("apps", "v1", "replicasets", namespace, null);
    if (replicaSets.isEmpty()) {
      passes.forget(namespace);
      return;
    }
    List<JsonNode> pods = api.list("", "v1", "pods", namespace, null);
    for (JsonNode rs : replicaSets) {
      try {
        carryOut(rs, ReplicaSetPlan.of(rs, pods, clock.instant()));
      } catch (StatusError e) {
        // changed meanwhile (a conflict, a pod gone): the namespace's next pass sees it as it is
        LOG.debug("replicaset {}/{}: {}", namespace, rs.path("metadata").path("name").asString(""), e.getMessage());
        passes.again(namespace);
      }
    }
  }

  private void carryOut(JsonNode rs, ReplicaSetPlan plan) {
    String namespace = rs.path("metadata").path("namespace").asString("");
    String name = rs.path("metadata").path("name").asString("");
    for (JsonNode pod : plan.adoptions()) {
      OwnerPatches.setOwners(api, "", "pods", pod, ReplicaSetPlan.ownerReferences(pod, rs, true));
    }
    for (JsonNode pod : plan.releases()) {
      OwnerPatches.setOwners(api, "", "pods", pod, ReplicaSetPlan.ownerReferences(pod, rs, false));
    }
    for (ObjectNode pod : plan.creates()) {
      api.create("", "v1", "pods", null, namespace, null, pod);
    }
    if (!plan.creates().isEmpty()) {
      LOG.info("replicaset {}/{}: created {} pods", namespace, name, plan.creates().size());
    }
    for (JsonNode pod : plan.deletes()) {
      OwnerPatches.deleteIfThere(api, "", "pods", pod, null);
    }
    if (!plan.deletes().isEmpty()) {
      LOG.info("replicaset {}/{}: deleted {} pods", namespace, name, plan.deletes().size());
    }
    OwnerPatches.status(api, "apps", "replicasets", rs, plan.status());
  }

  @Override
  public void close() {
    passes.close();
  }
}
