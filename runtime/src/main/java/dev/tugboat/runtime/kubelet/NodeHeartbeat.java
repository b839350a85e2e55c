package dev.tugboat.runtime.kubelet;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * How a node agent keeps its Node alive, as kubelet does: registers the Node, posts its status every
 * {@link #STATUS_SECONDS} (conditions with a fresh lastHeartbeatTime, capacity, allocatable, node info, addresses),
 * and renews its Lease in kube-node-lease every {@link #RENEW_SECONDS} (a quarter of its duration). Each update reads
 * the object first, so a condition the node lifecycle controller set to Unknown is seen as a transition.
 */
final class NodeHeartbeat implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NodeHeartbeat.class);
  static final String LEASE_NAMESPACE = "kube-node-lease";
  static final int LEASE_SECONDS = 40;
  static final long RENEW_SECONDS = 10;
  static final long STATUS_SECONDS = 10;

  private final KubernetesClient client;
  private final String nodeName;
  private final String address;
  private final int port;
  private final Path dataDir;
  private final Clock clock;
  private final NodeStatus.Machine machine;
  private final ScheduledExecutorService timer;

  private NodeHeartbeat(KubernetesClient client, String nodeName, String address, int port, Path dataDir,
      Clock clock) {
    this.client = client;
    this.nodeName = nodeName;
    this.address = address;
    this.port = port;
    this.dataDir = dataDir;
    this.clock = clock;
    this.machine = machine(dataDir);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "tug-node-heartbeat");
      thread.setDaemon(true);
      return thread;
    });
  }

  /** Registers the Node (or takes over the one there), posts its status and starts the periodic updates. */
  static NodeHeartbeat start(KubernetesClient client, String nodeName, String address, int port, Path dataDir,
      Clock clock) {
    NodeHeartbeat heartbeat = new NodeHeartbeat(client, nodeName, address, port, dataDir, clock);
    heartbeat.register();
    heartbeat.timer.scheduleWithFixedDelay(heartbeat::renewLease, 0, RENEW_SECONDS, TimeUnit.SECONDS);
    heartbeat.timer.scheduleWithFixedDelay(heartbeat::postStatusQuietly, STATUS_SECONDS, STATUS_SECONDS,
        TimeUnit.SECONDS);
    return heartbeat;
  }

  private void register() {
    Node node = new NodeBuilder().withNewMetadata().withName(nodeName)
        .withLabels(NodeStatus.labels(nodeName, machine.arch())).endMetadata()
        .withNewSpec().endSpec().build();
    try {
      client.nodes().resource(node).create();
      LOG.info("registered node {}", nodeName);
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) throw e;
    }
    postStatus();
  }

  private void postStatusQuietly() {
    try {
      postStatus();
    } catch (RuntimeException e) {
      LOG.warn("node {}: status update: {}", nodeName, e.getMessage());
    }
  }

  void postStatus() {
    Node current = client.nodes().withName(nodeName).get();
    if (current == null) {
      // Deleted while this agent runs: kubelet registers it again.
      register();
      return;
    }
    List<NodeCondition> previous = current.getStatus() == null || current.getStatus().getConditions() == null
        ? List.of() : current.getStatus().getConditions();
    var status = NodeStatus.of(machine, usage(), address, port, nodeName, previous,
        clock.instant().truncatedTo(ChronoUnit.SECONDS));
    client.nodes().withName(nodeName).subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE),
        JsonMapper.shared().writeValueAsString(Map.of("status", status)));
  }

  private void renewLease() {
    try {
      ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant().truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
      var leases = client.leases().inNamespace(LEASE_NAMESPACE);
      Lease existing = leases.withName(nodeName).get();
      if (existing == null) {
        Node node = client.nodes().withName(nodeName).get();
        LeaseBuilder lease = new LeaseBuilder().withNewMetadata().withName(nodeName).withNamespace(LEASE_NAMESPACE)
            .endMetadata().withNewSpec().withHolderIdentity(nodeName).withLeaseDurationSeconds(LEASE_SECONDS)
            .withRenewTime(now).endSpec();
        if (node != null) {
          // As kubelet does: the Lease goes when its Node is deleted.
          lease.editMetadata().withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("v1").withKind("Node")
              .withName(nodeName).withUid(node.getMetadata().getUid()).build()).endMetadata();
        }
        leases.resource(lease.build()).create();
      } else {
        existing.getSpec().setRenewTime(now);
        existing.getSpec().setHolderIdentity(nodeName);
        existing.getSpec().setLeaseDurationSeconds(LEASE_SECONDS);
        // An update with the resourceVersion just read: a conflict means someone else wrote it; the next try reads again.
        leases.resource(existing).update();
      }
    } catch (RuntimeException e) {
      LOG.warn("renew lease {}/{}: {}", LEASE_NAMESPACE, nodeName, e.getMessage());
    }
  }

  private NodeStatus.Usage usage() {
    long memoryAvailable = meminfo("MemAvailable:");
    long diskAvailable = 0;
    try {
      diskAvailable = Files.getFileStore(dataDir).getUsableSpace();
    } catch (IOException e) {
      LOG.debug("disk space of {}: {}", dataDir, e.toString());
    }
    long processes = 0;
    try {
      // /proc/loadavg's fourth field: runnable/total scheduling entities, each using a PID.
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      processes = Long.parseLong(fields[3].substring(fields[3].indexOf('/') + 1));
    } catch (IOException | RuntimeException e) {
      LOG.debug("/proc/loadavg: {}", e.toString());
    }
    return new NodeStatus.Usage(memoryAvailable < 0 ? Long.MAX_VALUE : memoryAvailable, diskAvailable, processes,
        longFile(Path.of("/proc/sys/kernel/pid_max")));
  }

  private static NodeStatus.Machine machine(Path dataDir) {
    long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getTotalMemorySize();
    long disk = 0;
    try {
      disk = Files.getFileStore(dataDir).getTotalSpace();
    } catch (IOException e) {
      LOG.debug("disk size of {}: {}", dataDir, e.toString());
    }
    return new NodeStatus.Machine(Runtime.getRuntime().availableProcessors(), memory, disk,
        System.getProperty("os.version"), NodeStatus.goArch(System.getProperty("os.arch")), osImage(),
        firstLine(Path.of("/etc/machine-id")), firstLine(Path.of("/sys/class/dmi/id/product_uuid")),
        firstLine(Path.of("/proc/sys/kernel/random/boot_id")));
  }

  /** /etc/os-release's PRETTY_NAME, as kubelet reports it. */
  private static String osImage() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith("PRETTY_NAME=")) return line.substring("PRETTY_NAME=".length()).replace("\"", "");
      }
    } catch (IOException e) {
      LOG.debug("/etc/os-release: {}", e.toString());
    }
    return "Linux";
  }

  private static String firstLine(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return lines.isEmpty() ? "" : lines.get(0).trim();
    } catch (IOException e) {
      return "";
    }
  }

  private static long longFile(Path file) {
    try {
      return Long.parseLong(firstLine(file));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A /proc/meminfo field in bytes, or -1. */
  private static long meminfo(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("/proc/meminfo: {}", e.toString());
    }
    return -1;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
