package dev.tugboat.control.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class ReplicaSetPlanTest {

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final Instant NOW = Instant.parse("2026-11-29T08:00:00Z");

  private static JsonNode replicaSet(int replicas, String extraSpec) {
    return JSON.readTree(("{'metadata':{'name':'web','namespace':'ns','uid':'rs-1','generation':4},'spec':{"
        + "'replicas':" + replicas + ",'selector':{'matchLabels':{'app':'web'}},'template':{'metadata':{'labels':"
        + "{'app':'web','tier':'front'},'annotations':{'a':'1'}},'spec':{'containers':[{'name':'c','image':'i'}]}}"
        + extraSpec + "}}").replace('\'', '"'));
  }

  /** A pod: its labels, its controller's uid (or none), node, phase, Ready since (or not ready), restarts, age. */
  private static JsonNode pod(String name, String labels, String controller, String node, String phase,
      String readySince, int restarts, String created) {
    ObjectNode pod = (ObjectNode) JSON.readTree(("{'metadata':{'name':'" + name + "','namespace':'ns',"
        + "'creationTimestamp':'" + created + "','labels':" + labels + "},'spec':{'nodeName':'" + node + "'},"
        + "'status':{'phase':'" + phase + "','containerStatuses':[{'restartCount':" + restarts + "}]}}")
        .replace('\'', '"'));
    if (controller != null) {
      ((ObjectNode) pod.path("metadata")).putArray("ownerReferences").addObject().put("uid", controller)
          .put("controller", true).put("kind", "ReplicaSet").put("name", "x").put("apiVersion", "apps/v1");
    }
    if (readySince != null) {
      ((ObjectNode) pod.path("status")).putArray("conditions").addObject().put("type", "Ready").put("status", "True")
          .put("lastTransitionTime", readySince);
    }
    return pod;
  }

  private static JsonNode running(String name, String readySince) {
    return pod(name, "{'app':'web','tier':'front'}", "rs-1", "n1", "Running", readySince, 0, "2026-11-29T07:00:00Z");
  }

  private static List<String> names(List<? extends JsonNode> pods) {
    return pods.stream().map(p -> p.path("metadata").path("name").asString("")).toList();
  }

  @Test
  void tooFewPodsAreCreatedFromTheTemplateOwnedByTheReplicaSet() {
    ReplicaSetPlan plan = ReplicaSetPlan.of(replicaSet(3, ""), List.of(running("a", "2026-11-29T07:30:00Z")), NOW);
    assertThat(plan.creates()).hasSize(2);
    JsonNode created = plan.creates().get(0);
    assertThat(created.path("metadata").path("generateName").asString()).isEqualTo("web-");
    assertThat(created.path("metadata").path("namespace").asString()).isEqualTo("ns");
    assertThat(created.path("metadata").path("labels").path("tier").asString()).isEqualTo("front");
    assertThat(created.path("metadata").path("annotations").path("a").asString()).isEqualTo("1");
    JsonNode owner = created.path("metadata").path("ownerReferences").get(0);
    assertThat(owner.path("uid").asString()).isEqualTo("rs-1");
    assertThat(owner.path("kind").asString()).isEqualTo("ReplicaSet");
    assertThat(owner.path("controller").asBoolean()).isTrue();
    assertThat(owner.path("blockOwnerDeletion").asBoolean()).isTrue();
    assertThat(created.path("spec").path("containers").get(0).path("image").asString()).isEqualTo("i");
    assertThat(plan.deletes()).isEmpty();
  }

  @Test
  void theDefaultIsOneReplicaAndCreatesAreBoundedByTheBurst() {
    JsonNode noReplicas = JSON.readTree("{\"metadata\":{\"name\":\"w\",\"uid\":\"u\"},\"spec\":{\"selector\":"
        + "{\"matchLabels\":{\"a\":\"b\"}},\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}}}}}");
    assertThat(ReplicaSetPlan.of(noReplicas, List.of(), NOW).creates()).hasSize(1);
    assertThat(ReplicaSetPlan.of(replicaSet(2000, ""), List.of(), NOW).creates()).hasSize(ReplicaSetPlan.BURST);
  }

  @Test
  void tooManyPodsAreDeletedLeastUsefulFirst() {
    List<JsonNode> pods = new ArrayList<>(List.of(
        running("old-ready", "2026-11-29T07:00:00Z"),
        running("recently-ready", "2026-11-29T07:59:00Z"),
        pod("not-ready", "{'app':'web'}", "rs-1", "n1", "Running", null, 0, "2026-11-29T07:00:00Z"),
        pod("pending", "{'app':'web'}", "rs-1", "n1", "Pending", null, 0, "2026-11-29T07:00:00Z"),
        pod("unscheduled", "{'app':'web'}", "rs-1", "", "Pending", null, 0, "2026-11-29T07:00:00Z"),
        pod("restarted", "{'app':'web'}", "rs-1", "n1", "Running", null, 5, "2026-11-29T07:00:00Z"),
        pod("young", "{'app':'web'}", "rs-1", "n1", "Running", null, 5, "2026-11-29T07:50:00Z")));
    for (int keep = 7; keep >= 0; keep--) {
      ReplicaSetPlan plan = ReplicaSetPlan.of(replicaSet(keep, ""), pods, NOW);
      assertThat(plan.creates()).isEmpty();
      assertThat(names(plan.deletes())).containsExactlyElementsOf(List.of("unscheduled", "pending", "young",
          "restarted", "not-ready", "recently-ready", "old-ready").subList(0, 7 - keep));
    }
  }

  @Test
  void finishedAndDeletingPodsAreNotReplicasSoTheyAreReplaced() {
    JsonNode deleting = running("going", "2026-11-29T07:00:00Z");
    ((ObjectNode) deleting.path("metadata")).put("deletionTimestamp", "2026-11-29T07:59:59Z");
    List<JsonNode> pods = List.of(running("a", "2026-11-29T07:00:00Z"),
        pod("done", "{'app':'web'}", "rs-1", "n1", "Succeeded", null, 0, "2026-11-29T07:00:00Z"),
        pod("failed", "{'app':'web'}", "rs-1", "n1", "Failed", null, 0, "2026-11-29T07:00:00Z"), deleting);
    ReplicaSetPlan plan = ReplicaSetPlan.of(replicaSet(2, ""), pods, NOW);
    assertThat(plan.creates()).hasSize(1);
    assertThat(plan.deletes()).isEmpty();
    assertThat(plan.status().path("replicas").asInt()).isEqualTo(1);
  }

  @Test
  void orphansTheSelectorMatchesAreAdoptedAndOwnedPodsThatNoLongerMatchAreReleased() {
    List<JsonNode> pods = List.of(
        pod("orphan", "{'app':'web'}", null, "n1", "Running", null, 0, "2026-11-29T07:00:00Z"),
        pod("someone-elses", "{'app':'web'}", "rs-2", "n1", "Running", null, 0, "2026-11-29T07:00:00Z"),
        pod("unrelated", "{'app':'db'}", null, "n1", "Running", null, 0, "2026-11-29T07:00:00Z"),
        pod("relabelled", "{'app':'debug'}", "rs-1", "n1", "Running", null, 0, "2026-11-29T07:00:00Z"));
    ReplicaSetPlan plan = ReplicaSetPlan.of(replicaSet(1, ""), pods, NOW);
    assertThat(names(plan.adoptions())).containsExactly("orphan");
    assertThat(names(plan.releases())).containsExactly("relabelled");
    assertThat(plan.creates()).as("the adopted orphan is the one replica").isEmpty();
    assertThat(plan.deletes()).isEmpty();
    JsonNode adopted = ReplicaSetPlan.ownerReferences(pods.get(0), replicaSet(1, ""), true);
    assertThat(adopted.get(0).path("uid").asString()).isEqualTo("rs-1");
    assertThat(ReplicaSetPlan.ownerReferences(pods.get(3), replicaSet(1, ""), false)).isEmpty();
  }

  @Test
  void aReplicaSetBeingDeletedNeitherCreatesDeletesNorAdopts() {
    ObjectNode rs = (ObjectNode) replicaSet(3, "");
    ((ObjectNode) rs.path("metadata")).put("deletionTimestamp", "2026-11-29T07:59:00Z");
    ReplicaSetPlan plan = ReplicaSetPlan.of(rs, List.of(
        pod("orphan", "{'app':'web'}", null, "n1", "Running", null, 0, "2026-11-29T07:00:00Z")), NOW);
    assertThat(plan.creates()).isEmpty();
    assertThat(plan.adoptions()).isEmpty();
    assertThat(plan.deletes()).isEmpty();
  }

  @Test
  void theStatusCountsReadyAvailableAfterMinReadySecondsAndFullyLabelled() {
    List<JsonNode> pods = List.of(running("long-ready", "2026-11-29T07:00:00Z"),
        running("just-ready", "2026-11-29T07:59:55Z"),
        pod("partly-labelled", "{'app':'web'}", "rs-1", "n1", "Running", null, 0, "2026-11-29T07:00:00Z"));
    JsonNode status = ReplicaSetPlan.of(replicaSet(3, ",'minReadySeconds':30"), pods, NOW).status();
    assertThat(status.path("replicas").asInt()).isEqualTo(3);
    assertThat(status.path("fullyLabeledReplicas").asInt()).isEqualTo(2);
    assertThat(status.path("readyReplicas").asInt()).isEqualTo(2);
    assertThat(status.path("availableReplicas").asInt()).isEqualTo(1);
    assertThat(status.path("observedGeneration").asLong()).isEqualTo(4);
  }
}
