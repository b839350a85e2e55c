package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Node status a node agent posts, from what it measured. */
class NodeStatusTest {

  private static final long GI = 1024L * 1024 * 1024;
  private static final NodeStatus.Machine MACHINE = new NodeStatus.Machine(2, 8 * GI, 100 * GI, "6.1.0", "amd64",
      "Debian GNU/Linux 12 (bookworm)", "machine", "uuid", "boot");
  private static final NodeStatus.Usage EASY = new NodeStatus.Usage(4 * GI, 50 * GI, 300, 4_194_304);
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:10Z");

  private static String condition(io.fabric8.kubernetes.api.model.NodeStatus status, String type) {
    return status.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow().getStatus();
  }

  @Test
  void aHealthyNodeIsReadyWithoutPressureAndReportsCapacityAllocatableAndInfo() {
    var status = NodeStatus.of(MACHINE, EASY, "10.0.0.5", 10250, "a", List.of(), NOW);
    assertThat(condition(status, "Ready")).isEqualTo("True");
    assertThat(condition(status, "MemoryPressure")).isEqualTo("False");
    assertThat(condition(status, "DiskPressure")).isEqualTo("False");
    assertThat(condition(status, "PIDPressure")).isEqualTo("False");
    assertThat(status.getConditions()).allSatisfy(c -> {
      assertThat(c.getLastHeartbeatTime()).isEqualTo("2026-11-28T12:00:10Z");
      assertThat(c.getLastTransitionTime()).isEqualTo("2026-11-28T12:00:10Z");
    });
    assertThat(status.getCapacity().get("cpu").toString()).isEqualTo("2");
    assertThat(status.getCapacity().get("memory").toString()).isEqualTo("8388608Ki");
    assertThat(status.getAllocatable().get("memory").toString()).isEqualTo("8286208Ki");
    assertThat(status.getAllocatable().get("pods").toString()).isEqualTo("110");
    assertThat(status.getCapacity().get("ephemeral-storage").toString()).isEqualTo("104857600Ki");
    assertThat(status.getNodeInfo().getBootID()).isEqualTo("boot");
    assertThat(status.getNodeInfo().getOsImage()).isEqualTo("Debian GNU/Linux 12 (bookworm)");
    assertThat(status.getNodeInfo().getKubeletVersion()).isEqualTo(NodeStatus.KUBELET_VERSION);
    assertThat(status.getAddresses()).extracting(a -> a.getType() + "=" + a.getAddress())
        .containsExactly("InternalIP=10.0.0.5", "Hostname=a");
    assertThat(status.getDaemonEndpoints().getKubeletEndpoint().getPort()).isEqualTo(10250);
  }

  @Test
  void pressureFollowsKubeletsDefaultEvictionThresholds() {
    var low = NodeStatus.of(MACHINE, new NodeStatus.Usage(99L * 1024 * 1024, 9 * GI, 3_900_000, 4_194_304), "10.0.0.5",
        10250, "a", List.of(), NOW);
    assertThat(condition(low, "MemoryPressure")).isEqualTo("True");
    assertThat(condition(low, "DiskPressure")).isEqualTo("True");
    assertThat(condition(low, "PIDPressure")).isEqualTo("True");
    assertThat(condition(low, "Ready")).isEqualTo("True");
    var edge = NodeStatus.of(MACHINE, new NodeStatus.Usage(100L * 1024 * 1024, 10 * GI, 3_774_873, 4_194_304),
        "10.0.0.5", 10250, "a", List.of(), NOW);
    assertThat(condition(edge, "MemoryPressure")).isEqualTo("False");
    assertThat(condition(edge, "DiskPressure")).isEqualTo("False");
    assertThat(condition(edge, "PIDPressure")).isEqualTo("False");
  }

  @Test
  void aConditionThatDidNotChangeKeepsItsTransitionTimeAndOneThatDidGetsNow() {
    List<NodeCondition> previous = List.of(
        new NodeConditionBuilder().withType("Ready").withStatus("True").withLastTransitionTime("2026-11-28T10:00:00Z")
            .build(),
        new NodeConditionBuilder().withType("MemoryPressure").withStatus("True")
            .withLastTransitionTime("2026-11-28T11:00:00Z").build());
    var status = NodeStatus.of(MACHINE, EASY, "10.0.0.5", 10250, "a", previous, NOW);
    NodeCondition ready = status.getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst()
        .orElseThrow();
    assertThat(ready.getLastTransitionTime()).isEqualTo("2026-11-28T10:00:00Z");
    assertThat(ready.getLastHeartbeatTime()).isEqualTo("2026-11-28T12:00:10Z");
    NodeCondition memory = status.getConditions().stream().filter(c -> c.getType().equals("MemoryPressure"))
        .findFirst().orElseThrow();
    assertThat(memory.getStatus()).isEqualTo("False");
    assertThat(memory.getLastTransitionTime()).isEqualTo("2026-11-28T12:00:10Z");
    // The node lifecycle controller's Unknown turns back to True as a transition.
    var back = NodeStatus.of(MACHINE, EASY, "10.0.0.5", 10250, "a", List.of(new NodeConditionBuilder()
        .withType("Ready").withStatus("Unknown").withLastTransitionTime("2026-11-28T11:59:00Z").build()), NOW);
    assertThat(back.getConditions().get(3).getLastTransitionTime()).isEqualTo("2026-11-28T12:00:10Z");
  }
}
