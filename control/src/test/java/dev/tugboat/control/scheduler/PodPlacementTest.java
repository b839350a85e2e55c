package dev.tugboat.control.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Which node a pod goes to, and the message when none can take it. */
class PodPlacementTest {

  private static JsonNode json(String text) {
    return JsonMapper.shared().readTree(text);
  }

  private static JsonNode node(String name, String ready, String extra) {
    return json("{\"metadata\": {\"name\": \"" + name + "\", \"labels\": {\"disk\": \"ssd\"}}, \"spec\": {" + extra
        + "}, \"status\": {\"allocatable\": {\"pods\": \"2\"}, \"conditions\": [{\"type\": \"Ready\", \"status\": \""
        + ready + "\"}]}}");
  }

  private static final JsonNode POD = json("{\"metadata\": {\"name\": \"p\"}, \"spec\": {}}");

  @Test
  void theReadyNodeWithTheFewestPodsWinsThenTheFirstByName() {
    List<JsonNode> nodes = List.of(node("b", "True", ""), node("a", "True", ""), node("c", "True", ""));
    assertThat(PodPlacement.place(POD, nodes, Map.of()).nodeName()).isEqualTo("a");
    assertThat(PodPlacement.place(POD, nodes, Map.of("a", 1)).nodeName()).isEqualTo("b");
    assertThat(PodPlacement.place(POD, nodes, Map.of("a", 1, "b", 1, "c", 0)).nodeName()).isEqualTo("c");
  }

  @Test
  void nodesThatAreNotReadyUnschedulableFullOrUnmatchedAreLeftOutWithTheirReasons() {
    List<JsonNode> nodes = List.of(node("a", "Unknown", ""), node("b", "False", ""),
        node("c", "True", "\"unschedulable\": true"), node("d", "True", ""));
    PodPlacement.Decision full = PodPlacement.place(POD, nodes, Map.of("d", 2));
    assertThat(full.scheduled()).isFalse();
    assertThat(full.unschedulableMessage()).isEqualTo(
        "0/4 nodes are available: 1 Too many pods, 2 node(s) were not ready, 1 node(s) were unschedulable.");
    assertThat(PodPlacement.place(POD, nodes, Map.of("d", 1)).nodeName()).isEqualTo("d");

    JsonNode wantsHdd = json("{\"spec\": {\"nodeSelector\": {\"disk\": \"hdd\"}}}");
    assertThat(PodPlacement.place(wantsHdd, List.of(node("d", "True", "")), Map.of()).unschedulableMessage())
        .isEqualTo("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
    JsonNode wantsSsd = json("{\"spec\": {\"nodeSelector\": {\"disk\": \"ssd\"}}}");
    assertThat(PodPlacement.place(wantsSsd, List.of(node("d", "True", "")), Map.of()).nodeName()).isEqualTo("d");
    assertThat(PodPlacement.place(POD, List.of(), Map.of()).unschedulableMessage())
        .isEqualTo("0/0 nodes are available: no nodes registered.");
    assertThat(PodPlacement.place(POD, List.of(json("{\"metadata\": {\"name\": \"new\"}}")), Map.of())
        .unschedulableMessage()).isEqualTo("0/1 nodes are available: 1 node(s) were not ready.");
  }

  @Test
  void aTaintedNodeTakesOnlyPodsThatTolerateItsTaint() {
    JsonNode tainted = node("t", "True",
        "\"taints\": [{\"key\": \"dedicated\", \"value\": \"db\", \"effect\": \"NoSchedule\"}]");
    assertThat(PodPlacement.place(POD, List.of(tainted), Map.of()).unschedulableMessage())
        .isEqualTo("0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: db}.");
    for (String toleration : List.of(
        "{\"key\": \"dedicated\", \"operator\": \"Equal\", \"value\": \"db\", \"effect\": \"NoSchedule\"}",
        "{\"key\": \"dedicated\", \"value\": \"db\"}",
        "{\"key\": \"dedicated\", \"operator\": \"Exists\"}",
        "{\"operator\": \"Exists\"}")) {
      JsonNode pod = json("{\"spec\": {\"tolerations\": [" + toleration + "]}}");
      assertThat(PodPlacement.place(pod, List.of(tainted), Map.of()).nodeName()).as(toleration).isEqualTo("t");
    }
    for (String toleration : List.of(
        "{\"key\": \"dedicated\", \"value\": \"web\"}",
        "{\"key\": \"dedicated\", \"operator\": \"Exists\", \"effect\": \"NoExecute\"}",
        "{\"key\": \"other\", \"operator\": \"Exists\"}",
        "{\"value\": \"db\"}")) {
      JsonNode pod = json("{\"spec\": {\"tolerations\": [" + toleration + "]}}");
      assertThat(PodPlacement.place(pod, List.of(tainted), Map.of()).scheduled()).as(toleration).isFalse();
    }
    JsonNode preferNot = node("p", "True", "\"taints\": [{\"key\": \"k\", \"effect\": \"PreferNoSchedule\"}]");
    assertThat(PodPlacement.place(POD, List.of(preferNot), Map.of()).nodeName()).isEqualTo("p");
  }

  @Test
  void onlyPodsForTheDefaultSchedulerThatAreNotBeingDeletedAreTaken() {
    assertThat(Scheduler.wantsThisScheduler(POD)).isTrue();
    assertThat(Scheduler.wantsThisScheduler(json("{\"spec\": {\"schedulerName\": \"default-scheduler\"}}"))).isTrue();
    assertThat(Scheduler.wantsThisScheduler(json("{\"spec\": {\"schedulerName\": \"custom\"}}"))).isFalse();
    assertThat(Scheduler.wantsThisScheduler(json("{\"metadata\": {\"deletionTimestamp\": \"2026-11-28T00:00:00Z\"}}")))
        .isFalse();
  }
}
