package dev.tugboat.runtime.kubelet;

import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.NodeStatusBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status a node agent posts for its Node, as kubelet computes it: addresses, kubelet endpoint, capacity and
 * allocatable, node info, and the four conditions. The pressure conditions follow kubelet's default hard eviction
 * thresholds (memory.available &lt; 100Mi, nodefs.available &lt; 10%) and, for PIDs, fewer than 10% of pid_max
 * left. A condition whose status did not change keeps its lastTransitionTime; every one gets {@code now} as its
 * lastHeartbeatTime. A plain function of what was measured.
 */
final class NodeStatus {

  static final String KUBELET_VERSION = "v1.32.0-tugboat";
  static final String CONTAINER_RUNTIME_VERSION = "tugboat://0.1.0";
  static final long MEMORY_EVICTION_BYTES = 100L * 1024 * 1024;
  static final int MAX_PODS = 110;

  private NodeStatus() {}

  /** What does not change while the agent runs. */
  record Machine(int cpus, long memoryBytes, long diskBytes, String kernel, String arch, String osImage,
      String machineId, String systemUuid, String bootId) {}

  /** What is measured at each heartbeat. */
  record Usage(long memoryAvailableBytes, long diskAvailableBytes, long processes, long pidMax) {}

  static io.fabric8.kubernetes.api.model.NodeStatus of(Machine machine, Usage usage, String address, int port,
      String hostname, List<NodeCondition> previous, Instant now) {
    Map<String, Quantity> capacity = new LinkedHashMap<>();
    capacity.put("cpu", new Quantity(Integer.toString(machine.cpus())));
    capacity.put("ephemeral-storage", new Quantity(machine.diskBytes() / 1024 + "Ki"));
    capacity.put("memory", new Quantity(machine.memoryBytes() / 1024 + "Ki"));
    capacity.put("pods", new Quantity(Integer.toString(MAX_PODS)));
    // Nothing is reserved for the system yet: allocatable is capacity less the hard eviction thresholds, as kubelet
    // computes it with no --kube-reserved or --system-reserved.
    Map<String, Quantity> allocatable = new LinkedHashMap<>(capacity);
    allocatable.put("memory", new Quantity(Math.max(0, machine.memoryBytes() - MEMORY_EVICTION_BYTES) / 1024 + "Ki"));
    allocatable.put("ephemeral-storage", new Quantity(Long.toString(machine.diskBytes() - machine.diskBytes() / 10)));
    boolean memoryPressure = usage.memoryAvailableBytes() < MEMORY_EVICTION_BYTES;
    boolean diskPressure = machine.diskBytes() > 0 && usage.diskAvailableBytes() < machine.diskBytes() / 10;
    boolean pidPressure = usage.pidMax() > 0 && usage.pidMax() - usage.processes() < usage.pidMax() / 10;
    String time = now.toString();
    List<NodeCondition> conditions = new ArrayList<>();
    conditions.add(condition("MemoryPressure", memoryPressure, memoryPressure ? "KubeletHasInsufficientMemory"
        : "KubeletHasSufficientMemory", memoryPressure ? "kubelet has insufficient memory available"
        : "kubelet has sufficient memory available", previous, time));
    conditions.add(condition("DiskPressure", diskPressure, diskPressure ? "KubeletHasDiskPressure"
        : "KubeletHasNoDiskPressure", diskPressure ? "kubelet has disk pressure" : "kubelet has no disk pressure",
        previous, time));
    conditions.add(condition("PIDPressure", pidPressure, pidPressure ? "KubeletHasInsufficientPID"
        : "KubeletHasSufficientPID", pidPressure ? "kubelet has insufficient PID available"
        : "kubelet has sufficient PID available", previous, time));
    conditions.add(condition("Ready", true, "KubeletReady", "kubelet is posting ready status", previous, time));
    return new NodeStatusBuilder()
        .addNewAddress().withType("InternalIP").withAddress(address).endAddress()
        .addNewAddress().withType("Hostname").withAddress(hostname).endAddress()
        .withNewDaemonEndpoints().withNewKubeletEndpoint(port).endDaemonEndpoints()
        .withCapacity(capacity).withAllocatable(allocatable)
        .withConditions(conditions)
        .withNewNodeInfo().withArchitecture(machine.arch()).withOperatingSystem("linux")
        .withKernelVersion(machine.kernel()).withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion("")
        .withContainerRuntimeVersion(CONTAINER_RUNTIME_VERSION).withOsImage(machine.osImage())
        .withMachineID(machine.machineId()).withSystemUUID(machine.systemUuid()).withBootID(machine.bootId())
        .endNodeInfo()
        .build();
  }

  /** The labels kubelet puts on its Node. */
  static Map<String, String> labels(String name, String arch) {
    return Map.of("kubernetes.io/hostname", name, "kubernetes.io/os", "linux", "kubernetes.io/arch", arch,
        "beta.kubernetes.io/os", "linux", "beta.kubernetes.io/arch", arch);
  }

  /** GOARCH names, as Kubernetes labels nodes. */
  static String goArch(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> osArch;
    };
  }

  private static NodeCondition condition(String type, boolean true_, String reason, String message,
      List<NodeCondition> previous, String now) {
    String status = true_ ? "True" : "False";
    String since = now;
    for (NodeCondition p : previous) {
      if (type.equals(p.getType()) && status.equals(p.getStatus()) && p.getLastTransitionTime() != null) {
        since = p.getLastTransitionTime();
      }
    }
    return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(now).withLastTransitionTime(since).build();
  }
}
