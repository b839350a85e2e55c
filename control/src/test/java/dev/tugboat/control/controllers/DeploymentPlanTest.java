package dev.tugboat.control.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Deployment steps against a small world of ReplicaSets whose pods start at once and become available one step
 * later: a rollout ends with only the new template's pods, and never goes beyond maxSurge or below maxUnavailable.
 */
class DeploymentPlanTest {

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final Instant NOW = Instant.parse("2026-11-29T08:00:00Z");

  private static ObjectNode deployment(int replicas, String strategy, String image) {
    return (ObjectNode) JSON.readTree(("{'metadata':{'name':'web','namespace':'ns','uid':'d-1','generation':1},"
        + "'spec':{'replicas':" + replicas + ",'selector':{'matchLabels':{'app':'web'}},'strategy':" + strategy
        + ",'revisionHistoryLimit':10,'template':{'metadata':{'labels':{'app':'web'}},'spec':{'containers':"
        + "[{'name':'c','image':'" + image + "'}]}}}}").replace('\'', '"'));
  }

  private static String rolling(Object surge, Object unavailable) {
    return "{'type':'RollingUpdate','rollingUpdate':{'maxSurge':" + quote(surge) + ",'maxUnavailable':"
        + quote(unavailable) + "}}";
  }

  private static String quote(Object v) {
    return v instanceof String ? "'" + v + "'" : v.toString();
  }

  /** The ReplicaSets of the namespace, as the Deployment controller's writes and the ReplicaSet controller leave them. */
  private static final class World {
    final List<ObjectNode> replicaSets = new ArrayList<>();
    ObjectNode deployment;
    int uids;

    World(ObjectNode deployment) {
      this.deployment = deployment;
    }

    DeploymentPlan step() {
      DeploymentPlan plan = DeploymentPlan.of(deployment, List.copyOf(replicaSets), NOW);
      if (plan.create() != null) {
        ObjectNode rs = plan.create().deepCopy();
        ((ObjectNode) rs.get("metadata")).put("uid", "rs-" + ++uids);
        rs.putObject("status");
        replicaSets.add(rs);
      }
      for (DeploymentPlan.Scale scale : plan.scales()) {
        ObjectNode rs = (ObjectNode) scale.replicaSet();
        ((ObjectNode) rs.get("spec")).put("replicas", scale.replicas());
        scale.annotations().forEach(((ObjectNode) rs.get("metadata").get("annotations"))::put);
      }
      replicaSets.removeAll(plan.deletes());
      deployment.set("status", plan.status());
      return plan;
    }

    /** The ReplicaSet controller and kubelet: pods exist at once, are available one tick after they exist. */
    void tick() {
      for (ObjectNode rs : replicaSets) {
        int want = rs.path("spec").path("replicas").asInt();
        int before = rs.path("status").path("replicas").asInt(0);
        ObjectNode status = (ObjectNode) rs.get("status");
        status.put("replicas", want).put("readyReplicas", Math.min(want, before))
            .put("availableReplicas", Math.min(want, before));
      }
    }

    int total(String field, boolean spec) {
      return replicaSets.stream().mapToInt(rs -> rs.path(spec ? "spec" : "status").path(field).asInt(0)).sum();
    }

    List<String> images() {
      return replicaSets.stream().filter(rs -> rs.path("spec").path("replicas").asInt() > 0)
          .map(rs -> rs.path("spec").path("template").path("spec").path("containers").get(0).path("image").asString())
          .toList();
    }

    /** Steps until a step on a settled world changes nothing; checks the invariant after every change. */
    void settle(Runnable invariant) {
      for (int i = 0; i < 200; i++) {
        boolean settled = total("replicas", false) == total("replicas", true)
            && total("availableReplicas", false) == total("replicas", true);
        DeploymentPlan plan = step();
        invariant.run();
        if (settled && plan.create() == null && plan.scales().isEmpty() && plan.deletes().isEmpty()) {
          return;
        }
        tick();
        invariant.run();
      }
      throw new AssertionError("no end to the rollout: " + replicaSets);
    }
  }

  @Test
  void theFirstReplicaSetIsTheTemplateWithItsHashOwnedByTheDeployment() {
    DeploymentPlan plan = DeploymentPlan.of(deployment(3, rolling("25%", "25%"), "a"), List.of(), NOW);
    ObjectNode rs = plan.create();
    String hash = rs.path("spec").path("template").path("metadata").path("labels").path("pod-template-hash")
        .asString();
    assertThat(hash).matches("[bcdfghjklmnpqrstvwxz2456789]+");
    assertThat(rs.path("metadata").path("name").asString()).isEqualTo("web-" + hash);
    assertThat(rs.path("spec").path("selector").path("matchLabels").path("pod-template-hash").asString())
        .isEqualTo(hash);
    assertThat(rs.path("spec").path("replicas").asInt()).isEqualTo(3);
    assertThat(rs.path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asString())
        .isEqualTo("1");
    assertThat(rs.path("metadata").path("ownerReferences").get(0).path("uid").asString()).isEqualTo("d-1");
    assertThat(DeploymentPlan.sameTemplate(rs, deployment(3, rolling(1, 0), "a").path("spec").path("template")))
        .isTrue();
    // as kubectl rollout undo sends it back: typed Go structs write empty fields as null or {}
    ObjectNode undone = (ObjectNode) deployment(3, "{}", "a").path("spec").path("template").deepCopy();
    ((ObjectNode) undone.get("metadata")).putNull("creationTimestamp");
    ((ObjectNode) undone.path("spec").path("containers").get(0)).putObject("resources");
    assertThat(DeploymentPlan.sameTemplate(rs, undone)).isTrue();
    assertThat(DeploymentPlan.sameTemplate(rs, deployment(3, "{}", "b").path("spec").path("template"))).isFalse();
    assertThat(DeploymentPlan.templateHash(deployment(3, "{}", "a").path("spec").path("template"), 0))
        .isEqualTo(hash).isNotEqualTo(DeploymentPlan.templateHash(
            deployment(3, "{}", "b").path("spec").path("template"), 0));
    assertThat(plan.status().path("conditions").get(1).path("reason").asString()).isEqualTo("NewReplicaSetCreated");
    assertThat(plan.revision()).as("the Deployment's own revision annotation").isEqualTo("1");
  }

  @Test
  void rollingUpdatesStayWithinSurgeAndUnavailabilityAndEndOnTheNewTemplate() {
    Object[][] strategies = {{"25%", "25%"}, {1, 0}, {0, 1}, {2, 2}, {"50%", 0}, {0, "100%"}, {3, 1}};
    for (int replicas : new int[] {1, 2, 3, 5, 10}) {
      for (Object[] s : strategies) {
        World world = new World(deployment(replicas, rolling(s[0], s[1]), "a"));
        world.settle(() -> { });
        assertThat(world.images()).containsExactly("a");
        int surge = DeploymentPlan.resolve(JSON.valueToTree(s[0]), replicas, true);
        int unavailable = DeploymentPlan.resolve(JSON.valueToTree(s[1]), replicas, false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        int maxTotal = replicas + surge;
        int minAvailable = replicas - unavailable;
        world.deployment = deployment(replicas, rolling(s[0], s[1]), "b");
        world.settle(() -> {
          assertThat(world.total("replicas", true)).as("%d replicas, %s: spec total", replicas, List.of(s))
              .isLessThanOrEqualTo(maxTotal);
          assertThat(world.total("availableReplicas", false)).as("%d replicas, %s: available", replicas, List.of(s))
              .isGreaterThanOrEqualTo(minAvailable);
        });
        assertThat(world.images()).as("%d replicas, %s", replicas, List.of(s)).containsExactly("b");
        JsonNode status = world.deployment.path("status");
        assertThat(status.path("updatedReplicas").asInt()).isEqualTo(replicas);
        assertThat(status.path("availableReplicas").asInt()).isEqualTo(replicas);
        assertThat(status.path("conditions").get(1).path("reason").asString()).isEqualTo("NewReplicaSetAvailable");
        assertThat(world.replicaSets).hasSize(2);
      }
    }
  }

  @Test
  void recreateStopsEveryOldPodBeforeStartingNewOnes() {
    World world = new World(deployment(3, "{'type':'Recreate'}".replace('\'', '"'), "a"));
    world.settle(() -> { });
    world.deployment = deployment(3, "{'type':'Recreate'}".replace('\'', '"'), "b");
    world.settle(() -> assertThat(world.images()).as("never both at once").hasSizeLessThanOrEqualTo(1));
    assertThat(world.images()).containsExactly("b");
  }

  @Test
  void aRollbackMakesTheOldReplicaSetTheNewestRevisionAndOldOnesBeyondTheLimitGo() {
    World world = new World(deployment(2, rolling(1, 0), "a"));
    world.settle(() -> { });
    world.deployment = deployment(2, rolling(1, 0), "b");
    world.settle(() -> { });
    world.deployment = deployment(2, rolling(1, 0), "a");
    world.settle(() -> { });
    assertThat(world.images()).containsExactly("a");
    assertThat(world.replicaSets).as("no third ReplicaSet for a template seen before").hasSize(2);
    ObjectNode current = world.replicaSets.stream().filter(rs -> rs.path("spec").path("replicas").asInt() == 2)
        .findFirst().orElseThrow();
    assertThat(DeploymentPlan.revision(current)).isEqualTo(3);
    assertThat(DeploymentPlan.of(world.deployment, List.copyOf(world.replicaSets), NOW).revision()).isEqualTo("3");

    ObjectNode limited = deployment(2, rolling(1, 0), "c");
    ((ObjectNode) limited.get("spec")).put("revisionHistoryLimit", 0);
    world.deployment = limited;
    world.settle(() -> { });
    assertThat(world.replicaSets).as("only the current one is kept").hasSize(1);
    assertThat(world.images()).containsExactly("c");
  }

  @Test
  void scalingAnIdleDeploymentScalesItsReplicaSetAndAnnotatesIt() {
    World world = new World(deployment(2, rolling("25%", "25%"), "a"));
    world.settle(() -> { });
    world.deployment = deployment(5, rolling("25%", "25%"), "a");
    world.settle(() -> { });
    assertThat(world.replicaSets).hasSize(1);
    assertThat(world.replicaSets.get(0).path("spec").path("replicas").asInt()).isEqualTo(5);
    assertThat(world.replicaSets.get(0).path("metadata").path("annotations")
        .path("deployment.kubernetes.io/desired-replicas").asString()).isEqualTo("5");
  }

  @Test
  void aReplicaSetHoldingTheHashedNameMakesTheNextHashTakeTheCollisionCount() {
    ObjectNode deployment = deployment(2, rolling("25%", "25%"), "a");
    String hash = DeploymentPlan.templateHash(deployment.path("spec").path("template"), 0);
    World world = new World(deployment);
    ObjectNode stranger = (ObjectNode) JSON.readTree(("{'metadata':{'name':'web-" + hash + "','namespace':'ns',"
        + "'uid':'x-1','labels':{'app':'other'}},'spec':{'replicas':1,'selector':{'matchLabels':{'app':'other'}},"
        + "'template':{'metadata':{'labels':{'app':'other'}},'spec':{'containers':[{'name':'c','image':'z'}]}}},"
        + "'status':{}}").replace('\'', '"'));
    world.replicaSets.add(stranger);

    DeploymentPlan collided = world.step();
    assertThat(collided.create()).isNull();
    assertThat(collided.status().path("collisionCount").asInt()).isEqualTo(1);

    world.settle(() -> { });
    String next = DeploymentPlan.templateHash(deployment.path("spec").path("template"), 1);
    assertThat(next).isNotEqualTo(hash);
    assertThat(world.replicaSets).extracting(rs -> rs.path("metadata").path("name").asString())
        .containsExactly("web-" + hash, "web-" + next);
    assertThat(stranger.path("spec").path("replicas").asInt()).as("the stranger is left alone").isEqualTo(1);
    assertThat(world.deployment.path("status").path("collisionCount").asInt()).as("kept once settled")
        .isEqualTo(1);
    assertThat(world.images()).containsExactly("z", "a");
  }

  @Test
  void surgeRoundsUpAndUnavailabilityDown() {
    assertThat(DeploymentPlan.resolve(JSON.valueToTree("25%"), 10, true)).isEqualTo(3);
    assertThat(DeploymentPlan.resolve(JSON.valueToTree("25%"), 10, false)).isEqualTo(2);
    assertThat(DeploymentPlan.resolve(JSON.valueToTree(4), 10, false)).isEqualTo(4);
  }
}
