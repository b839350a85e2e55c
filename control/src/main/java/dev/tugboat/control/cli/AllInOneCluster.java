package dev.tugboat.control.cli;

import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.auth.Authorizer;
import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.controllers.DeploymentController;
import dev.tugboat.control.controllers.GarbageCollector;
import dev.tugboat.control.controllers.LoopbackClient;
import dev.tugboat.control.controllers.NodeLifecycleController;
import dev.tugboat.control.controllers.ReplicaSetController;
import dev.tugboat.control.scheduler.Scheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * {@code tug up}'s cluster: the control plane, the scheduler, the node lifecycle, ReplicaSet and Deployment
 * controllers and the garbage collector over its resource layer, and one node agent ({@code bin/tug node}, its own
 * process: control never imports runtime) registered as a Node of this machine. Closing stops the agent first, which
 * stops and removes its pods' containers, then the rest.
 */
final class AllInOneCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AllInOneCluster.class);
  /** Who the scheduler and controllers are to the resource layer. */
  static final UserInfo CONTROLLERS = new UserInfo("system:kube-controller-manager", List.of(Authorizer.MASTERS_GROUP));
  static final Duration NODE_READY_TIMEOUT = Duration.ofSeconds(120);
  /** The agent's own stop takes up to 10 s of pod grace; this is its bound, then it is killed. */
  static final Duration AGENT_STOP_TIMEOUT = Duration.ofSeconds(30);

  /** The node agent's settings ({@code null} paths: the agent's defaults). */
  record NodeOptions(Path tug, String nodeName, int kubeletPort, Path imageStore, Path runtimeRoot,
      Duration nodeMonitorGracePeriod) {}

  private final ControlPlane plane;
  private final Scheduler scheduler;
  private final NodeLifecycleController nodeLifecycle;
  private final ReplicaSetController replicaSets;
  private final DeploymentController deployments;
  private final GarbageCollector garbageCollector;
  private final Process agent;
  private final Path agentLog;

  private AllInOneCluster(ControlPlane plane, Scheduler scheduler, NodeLifecycleController nodeLifecycle,
      ReplicaSetController replicaSets, DeploymentController deployments, GarbageCollector garbageCollector,
      Process agent, Path agentLog) {
    this.plane = plane;
    this.scheduler = scheduler;
    this.nodeLifecycle = nodeLifecycle;
    this.replicaSets = replicaSets;
    this.deployments = deployments;
    this.garbageCollector = garbageCollector;
    this.agent = agent;
    this.agentLog = agentLog;
  }

  static AllInOneCluster start(ServerOptions server, InetAddress bindAddress, NodeOptions node)
      throws IOException, InterruptedException {
    ControlPlane plane = ControlPlane.start(server, bindAddress);
    Scheduler scheduler = null;
    NodeLifecycleController nodeLifecycle = null;
    ReplicaSetController replicaSets = null;
    DeploymentController deployments = null;
    GarbageCollector garbageCollector = null;
    Process agent = null;
    try {
      LoopbackClient api = new LoopbackClient(plane.resources(), CONTROLLERS);
      scheduler = Scheduler.start(api, Clock.systemUTC());
      nodeLifecycle = NodeLifecycleController.start(api, Clock.systemUTC(), node.nodeMonitorGracePeriod());
      replicaSets = ReplicaSetController.start(api, Clock.systemUTC());
      deployments = DeploymentController.start(api, Clock.systemUTC());
      garbageCollector = GarbageCollector.start(api);
      Path dataDir = server.dataDirOrDefault().toAbsolutePath();
      Path nodeDir = dataDir.resolve("node");
      KubeletCertificateCommand.write(plane.apiServer().pki().ca(), node.nodeName(),
          List.of(InetAddress.getLoopbackAddress()), plane.apiServer().url(), nodeDir.resolve("pki"));
      Path log = nodeDir.resolve("agent.log");
      agent = startAgent(node, nodeDir, log);
      awaitReady(api, node.nodeName(), agent, log);
      return new AllInOneCluster(plane, scheduler, nodeLifecycle, replicaSets, deployments, garbageCollector,
          agent, log);
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (agent != null) stop(agent);
      if (garbageCollector != null) garbageCollector.close();
      if (deployments != null) deployments.close();
      if (replicaSets != null) replicaSets.close();
      if (nodeLifecycle != null) nodeLifecycle.close();
      if (scheduler != null) scheduler.close();
      plane.close();
      throw e;
    }
  }

  private static Process startAgent(NodeOptions node, Path nodeDir, Path log) throws IOException {
    Path pki = nodeDir.resolve("pki");
    List<String> command = new ArrayList<>(List.of(node.tug().toString(), "node",
        "--kubeconfig", pki.resolve("kubelet.kubeconfig").toString(), "--node-name", node.nodeName(),
        "--data-dir", nodeDir.resolve("data").toString(), "--cert", pki.resolve("kubelet.crt").toString(),
        "--key", pki.resolve("kubelet.key").toString(), "--address", "127.0.0.1",
        "--port", Integer.toString(node.kubeletPort()), "--remove-pods-on-exit", "--stop-with-parent"));
    if (node.imageStore() != null) command.addAll(List.of("--image-store", node.imageStore().toString()));
    if (node.runtimeRoot() != null) command.addAll(List.of("--runtime-root", node.runtimeRoot().toString()));
    Files.createDirectories(nodeDir);
    return new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  private static void awaitReady(LoopbackClient api, String nodeName, Process agent, Path log)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + NODE_READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!agent.isAlive()) {
        throw new IllegalStateException("the node agent exited with status " + agent.exitValue() + "; its log "
            + log + " ends:\n" + tail(log));
      }
      try {
        JsonNode node = api.get("", "v1", "nodes", null, nodeName);
        for (JsonNode condition : node.path("status").path("conditions")) {
          if (condition.path("type").asString("").equals("Ready")
              && condition.path("status").asString("").equals("True")) {
            return;
          }
        }
      } catch (StatusError notYet) {
        // not registered yet
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node " + nodeName + " was not Ready within " + NODE_READY_TIMEOUT.toSeconds()
        + " s; the node agent's log " + log + " ends:\n" + tail(log));
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
  }

  ControlPlane plane() {
    return plane;
  }

  Path agentLog() {
    return agentLog;
  }

  long agentPid() {
    return agent.pid();
  }

  private static void stop(Process agent) {
    agent.destroy();
    try {
      if (!agent.waitFor(AGENT_STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        LOG.warn("the node agent (pid {}) did not stop within {} s: killing it", agent.pid(),
            AGENT_STOP_TIMEOUT.toSeconds());
        agent.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      agent.destroyForcibly();
    }
  }

  @Override
  public void close() {
    stop(agent);
    garbageCollector.close();
    deployments.close();
    replicaSets.close();
    nodeLifecycle.close();
    scheduler.close();
    plane.close();
  }
}
