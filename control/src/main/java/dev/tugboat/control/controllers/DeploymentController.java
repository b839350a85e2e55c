package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * kube-controller-manager's Deployment controller: rolls each Deployment's pod template out through ReplicaSets,
 * carrying out {@link DeploymentPlan} a step at a time, a namespace at a time ({@link NamespacePasses}); a
 * ReplicaSet's status change (its pods becoming available) brings the next step. The resync every {@link #RESYNC}
 * is what notices a rollout past its progress deadline.
 */
public final class DeploymentController implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DeploymentController.class);
  static final Duration RESYNC = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.shared();

  private final LoopbackClient api;
  private final Clock clock;
  private final NamespacePasses passes;

  private DeploymentController(LoopbackClient api, Clock clock) {
    this.api = api;
    this.clock = clock;
    this.passes = new NamespacePasses("deployment-controller", api, RESYNC, this::syncNamespace);
  }

  public static DeploymentController start(LoopbackClient api, Clock clock) {
    DeploymentController controller = new DeploymentController(api, clock);
    controller.passes.start(List.of(new NamespacePasses.Watched("apps", "deployments", true),
        new NamespacePasses.Watched("apps", "replicasets", false)));
    return controller;
  }

  void syncNamespace(String namespace) {
    List<JsonNode> deployments = api.list("apps", "v1", "deployments", namespace, null);
    if (deployments.isEmpty()) {
      passes.forget(namespace);
      return;
    }
    List<JsonNode> replicaSets = api.list("apps", "v1", "replicasets", namespace, null);
    for (JsonNode deployment : deployments) {
      try {
        carryOut(deployment, DeploymentPlan.of(deployment, replicaSets, clock.instant()));
      } catch (StatusError e) {
        LOG.debug("deployment {}/{}: {}", namespace, deployment.path("metadata").path("name").asString(""),
            e.getMessage());
        passes.again(namespace);
      }
    }
  }

  private void carryOut(JsonNode deployment, DeploymentPlan plan) {
    String namespace = deployment.path("metadata").path("namespace").asString("");
    String name = deployment.path("metadata").path("name").asString("");
    for (JsonNode rs : plan.adoptions()) {
      var owners = JSON.createArrayNode();
      rs.path("metadata").path("ownerReferences").forEach(r -> owners.add(r.deepCopy()));
      owners.addObject().put("apiVersion", "apps/v1").put("kind", "Deployment").put("name", name)
          .put("uid", deployment.path("metadata").path("uid").asString("")).put("controller", true)
          .put("blockOwnerDeletion", true);
      OwnerPatches.setOwners(api, "apps", "replicasets", rs, owners);
    }
    if (plan.create() != null) {
      api.create("apps", "v1", "replicasets", null, namespace, null, plan.create());
      LOG.info("deployment {}/{}: created replica set {} ({} replicas)", namespace, name,
          plan.create().path("metadata").path("name").asString(""), plan.create().path("spec").path("replicas"));
    }
    for (DeploymentPlan.Scale scale : plan.scales()) {
      ObjectNode patch = JSON.createObjectNode();
      ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
      for (Map.Entry<String, String> a : scale.annotations().entrySet()) {
        annotations.put(a.getKey(), a.getValue());
      }
      ((ObjectNode) patch.get("metadata")).put("resourceVersion",
          scale.replicaSet().path("metadata").path("resourceVersion").asString(""));
      patch.putObject("spec").put("replicas", scale.replicas());
      String rsName = scale.replicaSet().path("metadata").path("name").asString("");
      api.mergePatch("apps", "v1", "replicasets", null, namespace, rsName, patch);
      if (scale.replicas() != scale.replicaSet().path("spec").path("replicas").asInt(0)) {
        LOG.info("deployment {}/{}: scaled replica set {} to {}", namespace, name, rsName, scale.replicas());
      }
    }
    for (JsonNode old : plan.deletes()) {
      OwnerPatches.deleteIfThere(api, "apps", "replicasets", old, "Background");
    }
    if (plan.revision() != null && !plan.revision().equals(
        deployment.path("metadata").path("annotations").path(DeploymentPlan.REVISION).asString(""))) {
      ObjectNode patch = JSON.createObjectNode();
      patch.putObject("metadata").putObject("annotations").put(DeploymentPlan.REVISION, plan.revision());
      api.mergePatch("apps", "v1", "deployments", null, namespace, name, patch);
    }
    OwnerPatches.status(api, "apps", "deployments", deployment, plan.status());
  }

  @Override
  public void close() {
    passes.close();
  }
}
