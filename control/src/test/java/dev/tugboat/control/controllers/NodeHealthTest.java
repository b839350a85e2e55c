package dev.tugboat.control.controllers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** When a node counts as unheard from, and what its status and its pods' become then. */
class NodeHealthTest {

  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final Duration GRACE = Duration.ofSeconds(40);

  private static JsonNode json(String text) {
    return JsonMapper.shared().readTree(text);
  }

  private static final JsonNode READY_NODE = json("""
      {"metadata": {"name": "a"}, "status": {"conditions": [
        {"type": "MemoryPressure", "status": "False", "lastHeartbeatTime": "2026-11-28T11:59:50Z"},
        {"type": "DiskPressure", "status": "False", "lastHeartbeatTime": "2026-11-28T11:59:50Z"},
        {"type": "PIDPressure", "status": "False", "lastHeartbeatTime": "2026-11-28T11:59:50Z"},
        {"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-28T11:59:50Z",
         "lastTransitionTime": "2026-11-28T10:00:00Z"},
        {"type": "NetworkUnavailable", "status": "False"}]}}
      """);
  private static final JsonNode LEASE = json("{\"spec\": {\"renewTime\": \"2026-11-28T11:59:55.000000Z\"}}");

  @Test
  void aHeartbeatCountsFromWhenThisControllerSawItChangeNotFromItsTimestamp() {
    String beat = NodeHealth.heartbeat(READY_NODE, LEASE);
    NodeHealth.Observation first = NodeHealth.observe(null, beat, T0);
    assertThat(first.observedAt()).isEqualTo(T0);
    NodeHealth.Observation same = NodeHealth.observe(first, beat, T0.plusSeconds(30));
    assertThat(same).isSameAs(first);
    assertThat(NodeHealth.expired(same, T0.plusSeconds(40), GRACE)).isFalse();
    assertThat(NodeHealth.expired(same, T0.plusSeconds(41), GRACE)).isTrue();

    JsonNode renewed = json("{\"spec\": {\"renewTime\": \"2026-11-28T12:00:35.000000Z\"}}");
    NodeHealth.Observation later = NodeHealth.observe(same, NodeHealth.heartbeat(READY_NODE, renewed),
        T0.plusSeconds(35));
    assertThat(later.observedAt()).isEqualTo(T0.plusSeconds(35));
    assertThat(NodeHealth.expired(later, T0.plusSeconds(60), GRACE)).isFalse();
    // A node without a Lease is heard from through its Ready condition alone.
    assertThat(NodeHealth.heartbeat(READY_NODE, null)).isNotEqualTo(beat);
  }

  @Test
  void anUnheardNodeHasItsFourConditionsUnknownAndKeepsTheOthers() {
    JsonNode patch = NodeHealth.unknownStatus(READY_NODE, "2026-11-28T12:00:41Z");
    JsonNode conditions = patch.path("status").path("conditions");
    assertThat(conditions.size()).isEqualTo(5);
    for (int i = 0; i < 4; i++) {
      JsonNode c = conditions.get(i);
      assertThat(c.path("status").asString()).isEqualTo("Unknown");
      assertThat(c.path("reason").asString()).isEqualTo("NodeStatusUnknown");
      assertThat(c.path("message").asString()).isEqualTo("Kubelet stopped posting node status.");
      assertThat(c.path("lastHeartbeatTime").asString()).isEqualTo("2026-11-28T11:59:50Z");
      assertThat(c.path("lastTransitionTime").asString()).isEqualTo("2026-11-28T12:00:41Z");
    }
    assertThat(conditions.get(4).path("type").asString()).isEqualTo("NetworkUnavailable");
    JsonNode unknown = json("{\"status\": " + patch.path("status") + "}");
    assertThat(NodeHealth.unknownStatus(unknown, "2026-11-28T12:01:00Z")).as("already Unknown").isNull();

    JsonNode never = NodeHealth.unknownStatus(json("{\"metadata\": {\"name\": \"b\"}}"), "2026-11-28T12:00:41Z");
    assertThat(never.path("status").path("conditions").get(3).path("reason").asString())
        .isEqualTo("NodeStatusNeverUpdated");
    assertThat(never.path("status").path("conditions").get(3).path("message").asString())
        .isEqualTo("Kubelet never posted node status.");
  }

  @Test
  void aReadyPodOfThatNodeBecomesNotReadyAndAnUnreadyOneIsLeftAlone() {
    JsonNode pod = json("""
        {"status": {"conditions": [{"type": "PodScheduled", "status": "True"},
          {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-28T10:00:00Z"}]}}
        """);
    JsonNode patch = NodeHealth.podNotReady(pod, "2026-11-28T12:00:41Z");
    JsonNode ready = patch.path("status").path("conditions").get(1);
    assertThat(ready.path("status").asString()).isEqualTo("False");
    assertThat(ready.path("reason").asString()).isEqualTo("NodeNotReady");
    assertThat(ready.path("lastTransitionTime").asString()).isEqualTo("2026-11-28T12:00:41Z");
    assertThat(patch.path("status").path("conditions").get(0).path("type").asString()).isEqualTo("PodScheduled");
    assertThat(NodeHealth.podNotReady(json("{\"status\": " + patch.path("status") + "}"), "x")).isNull();
    assertThat(NodeHealth.podNotReady(json("{}"), "x")).isNull();
  }
}
