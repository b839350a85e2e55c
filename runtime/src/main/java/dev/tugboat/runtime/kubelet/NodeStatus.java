package dev.tugboat.runtime.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.NodeConditionBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The Node object a node agent registers: its addresses, kubelet endpoint, capacity, conditions and system info. */
final class NodeStatus {

  static final String KUBELET_VERSION = "v1.32.0-tugboat";

  private NodeStatus() {}

  /**
   * @param cpus and memoryBytes: the machine's capacity (allocatable is the same: nothing is reserved yet)
   */
  static Node of(String name, String address, int port, int cpus, long memoryBytes, String kernel, String arch,
      Instant now) {
    Map<String, Quantity> capacity = Map.of("cpu", new Quantity(Integer.toString(cpus)),
        "memory", new Quantity(Long.toString(memoryBytes / 1024) + "Ki"), "pods", new Quantity("110"));
    String time = now.toString();
    List<NodeCondition> conditions = List.of(
        condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", time),
        condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", time),
        condition("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", time),
        condition("Ready", "True", "KubeletReady", "kubelet is posting ready status", time));
    return new NodeBuilder()
        .withNewMetadata().withName(name)
        .addToLabels("kubernetes.io/hostname", name).addToLabels("kubernetes.io/os", "linux")
        .addToLabels("kubernetes.io/arch", arch).endMetadata()
        .withNewSpec().endSpec()
        .withNewStatus()
        .addNewAddress().withType("InternalIP").withAddress(address).endAddress()
        .addNewAddress().withType("Hostname").withAddress(name).endAddress()
        .withNewDaemonEndpoints().withNewKubeletEndpoint(port).endDaemonEndpoints()
        .withCapacity(capacity).withAllocatable(capacity)
        .withConditions(conditions)
        .withNewNodeInfo().withArchitecture(arch).withOperatingSystem("linux").withKernelVersion(kernel)
        .withKubeletVersion(KUBELET_VERSION).withKubeProxyVersion("").withContainerRuntimeVersion("tugboat://0.1.0")
        .withOsImage("Tugboat node").withMachineID("").withSystemUUID("").withBootID("").endNodeInfo()
        .endStatus().build();
  }

  /** GOARCH names, as Kubernetes labels nodes. */
  static String goArch(String osArch) {
    return switch (osArch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> osArch;
    };
  }

  private static NodeCondition condition(String type, String status, String reason, String message, String time) {
    return new NodeConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastHeartbeatTime(time).withLastTransitionTime(time).build();
  }
}
