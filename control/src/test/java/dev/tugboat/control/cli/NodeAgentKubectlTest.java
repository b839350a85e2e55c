package dev.tugboat.control.cli;

import static dev.tugboat.control.cli.CommandResult.run;
import static dev.tugboat.control.cli.NodeAgentHost.exitedOrZombie;
import static dev.tugboat.control.cli.NodeAgentHost.podCgroups;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The real kubectl against the API server (in this JVM) and the node agent ({@code bin/tug node}, its own process,
 * as root): pods bound to the node run from an imported busybox image, and {@code kubectl logs}, {@code logs -f},
 * {@code exec} (output, stdin, exit codes) and {@code delete} work through the API server's proxy to the agent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeAgentKubectlTest {

  private static final Path TUG = Path.of("..", "bin", "tug").toAbsolutePath().normalize();
  private static final String NODE = "node-agent-test";
  private static final String BOX = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: box
      spec:
        nodeName: %s
        terminationGracePeriodSeconds: 20
        volumes:
        - name: shared
          emptyDir: {}
        containers:
        - name: main
          image: busybox:test
          command: ["sh", "-c", "echo from-main > /shared/note; echo hello from box; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done"]
          volumeMounts:
          - name: shared
            mountPath: /shared
        - name: side
          image: busybox:test
          command: ["sleep", "3600"]
          volumeMounts:
          - name: shared
            mountPath: /shared
          resources:
            limits:
              memory: 64Mi
      """.formatted(NODE);

  private Path dir;
  private ControlPlane plane;
  private Process agent;
  private Path kubeconfig;

  @BeforeAll
  void startClusterWithANode() throws Exception {
    NodeAgentHost.assumeANodeAgentCanRun(TUG);
    dir = Files.createTempDirectory("tug-node-agent-test");
    ServerOptions options = new ServerOptions();
    options.dataDir = dir.resolve("server");
    options.securePort = 0;
    options.tokenAuthFile = dir.resolve("tokens.csv");
    Files.writeString(options.tokenAuthFile, "viewer-token,viewer,viewer-uid,\"viewers\"\n");
    plane = ControlPlane.start(options, InetAddress.getLoopbackAddress());
    kubeconfig = plane.apiServer().kubeconfig();

    assertThat(TugMain.commandLine().execute("kubelet-certificate", "--data-dir", options.dataDir.toString(),
        "--node-name", NODE, "--address", "127.0.0.1", "--out", dir.resolve("node").toString())).isZero();
    Path layout = BusyboxImage.write(dir.resolve("image"), "busybox:test");
    CommandResult imported = run(List.of(TUG.toString(), "image", "--root", dir.resolve("images").toString(), "import",
        layout.toString()), null);
    assertThat(imported.exitCode()).as(imported.stderr()).isZero();

    startAgent();
  }

  private void startAgent() throws Exception {
    agent = new ProcessBuilder(TUG.toString(), "node", "--kubeconfig", dir.resolve("node/kubelet.kubeconfig").toString(),
        "--node-name", NODE, "--data-dir", dir.resolve("node-data").toString(),
        "--cert", dir.resolve("node/kubelet.crt").toString(), "--key", dir.resolve("node/kubelet.key").toString(),
        "--address", "127.0.0.1", "--port", "0", "--image-store", dir.resolve("images").toString(),
        "--runtime-root", dir.resolve("runtime").toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("node.log").toFile()))
        .start();
    // kubectl wait gives up at once on an object that does not exist yet: first the agent registers its Node.
    for (int i = 0; i < 600 && kubectl("get", "node", NODE).exitCode() != 0; i++) {
      assertThat(agent.isAlive()).as(agentLog()).isTrue();
      Thread.sleep(200);
    }
    CommandResult ready = kubectl("wait", "--for=condition=Ready", "node/" + NODE, "--timeout=120s");
    assertThat(ready.exitCode()).as(ready.stderr() + agentLog()).isZero();
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (plane != null && agent != null && agent.isAlive()) {
        kubectl("delete", "pods", "--all", "--wait=true", "--timeout=60s");
      }
    } finally {
      if (agent != null) {
        agent.destroy();
        if (!agent.waitFor(30, TimeUnit.SECONDS)) agent.destroyForcibly().waitFor();
      }
      if (plane != null) plane.close();
      if (dir != null) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  @Order(1)
  void theNodeRegistersWithItsAddressKubeletPortAndLease() throws Exception {
    assertThat(kubectl("get", "node", NODE, "-o",
        "jsonpath={.status.addresses[?(@.type==\"InternalIP\")].address}").stdout()).isEqualTo("127.0.0.1");
    assertThat(Integer.parseInt(kubectl("get", "node", NODE, "-o",
        "jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}").stdout())).isPositive();
    assertThat(kubectl("get", "lease", NODE, "-n", "kube-node-lease", "-o", "jsonpath={.spec.holderIdentity}").stdout())
        .isEqualTo(NODE);
  }

  @Test
  @Order(2)
  void aBusyboxPodRunsAndKubectlLogsAndExecReachIt() throws Exception {
    apply(BOX);
    CommandResult running = kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/box", "--timeout=120s");
    assertThat(running.exitCode()).as(running.stderr() + agentLog()).isZero();
    assertThat(kubectl("get", "pod", "box", "-o", "jsonpath={.status.containerStatuses[*].ready}").stdout())
        .isEqualTo("true true");

    waitForLog("box", "main", "tick 2");
    CommandResult logs = kubectl("logs", "box", "-c", "main");
    assertThat(logs.exitCode()).as(logs.stderr()).isZero();
    assertThat(logs.stdout()).startsWith("hello from box\ntick 0\ntick 1\n");
    String tail = kubectl("logs", "box", "-c", "main", "--tail=1").stdout();
    assertThat(tail).matches("tick \\d+\n");

    CommandResult hi = kubectl("exec", "box", "-c", "main", "--", "echo", "hi");
    assertThat(hi.exitCode()).as(hi.stderr()).isZero();
    assertThat(hi.stdout()).isEqualTo("hi\n");
    CommandResult failing = kubectl("exec", "box", "-c", "side", "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failing.exitCode()).isEqualTo(3);
    assertThat(failing.stderr()).contains("oops");
    // The containers of a pod share its UTS namespace: the pod's name is every container's hostname.
    assertThat(kubectl("exec", "box", "-c", "side", "--", "hostname").stdout()).isEqualTo("box\n");
    // and an emptyDir volume: what one writes, the other reads.
    assertThat(kubectl("exec", "box", "-c", "side", "--", "cat", "/shared/note").stdout()).isEqualTo("from-main\n");
    CommandResult stdin = run(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "exec", "-i", "box", "-c", "side",
        "--", "sh", "-c", "tr a-z A-Z"), "shout\n");
    assertThat(stdin.stdout()).isEqualTo("SHOUT\n");

    // kubectl cp streams a tar through exec's stdin: more than a pipe holds, and the file arrives whole.
    byte[] content = new byte[300_000];
    new java.util.Random(42).nextBytes(content);
    Path local = Files.write(dir.resolve("payload.bin"), content);
    CommandResult copied = kubectl("cp", local.toString(), "box:/tmp/payload.bin", "-c", "side");
    assertThat(copied.exitCode()).as(copied.stderr()).isZero();
    String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(content));
    assertThat(kubectl("exec", "box", "-c", "side", "--", "md5sum", "/tmp/payload.bin").stdout())
        .startsWith(md5 + " ");
  }

  @Test
  @Order(3)
  void logsFollowStreamsNewLinesAsTheyAreWritten() throws Exception {
    Process follow = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "logs", "-f", "box", "-c",
        "main", "--tail=1").start();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
      int first = tick(lines.readLine());
      int later = tick(lines.readLine());
      int laterStill = tick(lines.readLine());
      assertThat(later).isEqualTo(first + 1);
      assertThat(laterStill).isEqualTo(first + 2);
    } finally {
      follow.destroy();
      follow.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(3)
  void attachStreamsTheContainersOutputFromNowOn() throws Exception {
    Process attach = new ProcessBuilder("kubectl", "--kubeconfig", kubeconfig.toString(), "attach", "box", "-c",
        "main").start();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(attach.getInputStream(), StandardCharsets.UTF_8))) {
      int first = tick(lines.readLine());
      assertThat(tick(lines.readLine())).isEqualTo(first + 1);
    } finally {
      attach.destroy();
      attach.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  @Order(4)
  void aContainerThatExitsUnderRestartPolicyAlwaysIsRestartedAndItsPreviousLogKept() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: crashy
        spec:
          nodeName: %s
          containers:
          - name: c
            image: busybox:test
            command: ["sh", "-c", "echo run; exit 1"]
        """.formatted(NODE));
    CommandResult restarted = kubectl("wait", "--for=jsonpath={.status.containerStatuses[0].restartCount}=1", "pod/crashy",
        "--timeout=120s");
    assertThat(restarted.exitCode()).as(restarted.stderr() + agentLog()).isZero();
    assertThat(kubectl("get", "pod", "crashy", "-o",
        "jsonpath={.status.containerStatuses[0].lastState.terminated.exitCode}").stdout()).isEqualTo("1");
    assertThat(kubectl("get", "pod", "crashy", "-o", "jsonpath={.status.phase}").stdout()).isEqualTo("Running");
    assertThat(kubectl("logs", "crashy", "--previous").stdout()).isEqualTo("run\n");
    assertThat(kubectl("delete", "pod", "crashy", "--wait=true", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(4)
  void badRequestsAreRefusedWithTheirReason() throws Exception {
    CommandResult unknown = kubectl("logs", "box", "-c", "nope");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.stderr()).contains("container nope is not valid for pod box");

    Path viewer = dir.resolve("viewer.kubeconfig");
    Files.writeString(viewer, Files.readString(kubeconfig)
        .replaceAll("client-certificate-data: .*", "token: viewer-token").replaceAll("\\s+client-key-data: .*", ""));
    CommandResult forbidden = run(List.of("kubectl", "--kubeconfig", viewer.toString(), "exec", "box", "-c", "main", "--",
        "echo", "hi"), null);
    assertThat(forbidden.exitCode()).isNotZero();
    assertThat(forbidden.stderr()).contains("User \"viewer\" cannot create resource \"pods/exec\"");
    CommandResult viewerLogs = run(List.of("kubectl", "--kubeconfig", viewer.toString(), "logs", "box", "-c", "main",
        "--tail=1"), null);
    assertThat(viewerLogs.exitCode()).as(viewerLogs.stderr()).isZero();

    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: pending
        spec:
          containers:
          - name: c
            image: busybox:test
        """);
    CommandResult notScheduled = kubectl("logs", "pending");
    assertThat(notScheduled.stderr()).contains("pod pending does not have a host assigned");
    kubectl("delete", "pod", "pending", "--wait=true");
  }

  @Test
  @Order(5)
  void aPodWhoseImageIsNotImportedWaitsWithErrImagePull() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: missing
        spec:
          nodeName: %s
          containers:
          - name: c
            image: not-imported:1
        """.formatted(NODE));
    CommandResult waiting = kubectl("wait", "--for=jsonpath={.status.containerStatuses[0].state.waiting.reason}=ErrImagePull",
        "pod/missing", "--timeout=60s");
    assertThat(waiting.exitCode()).as(waiting.stderr()).isZero();
    assertThat(kubectl("get", "pod", "missing", "-o", "jsonpath={.status.containerStatuses[0].state.waiting.message}")
        .stdout()).contains("not-imported:1", "tug image import");
    assertThat(kubectl("delete", "pod", "missing", "--wait=true", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(6)
  void aContainerThatFailsUnderRestartPolicyNeverFailsThePodWithItsExitCode() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: once
        spec:
          nodeName: %s
          restartPolicy: Never
          containers:
          - name: c
            image: busybox:test
            command: ["sh", "-c", "echo bye; exit 2"]
        """.formatted(NODE));
    CommandResult failed = kubectl("wait", "--for=jsonpath={.status.phase}=Failed", "pod/once", "--timeout=120s");
    assertThat(failed.exitCode()).as(failed.stderr() + agentLog()).isZero();
    assertThat(kubectl("get", "pod", "once", "-o", "jsonpath={.status.containerStatuses[0].state.terminated.exitCode}")
        .stdout()).isEqualTo("2");
    assertThat(kubectl("logs", "once").stdout()).isEqualTo("bye\n");
    assertThat(kubectl("delete", "pod", "once", "--wait=true", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(7)
  void anAgentStartedAgainAdoptsThePodsItsPredecessorRan() throws Exception {
    String uid = kubectl("get", "pod", "box", "-o", "jsonpath={.metadata.uid}").stdout();
    Path procs = podCgroups(uid).stream().filter(p -> p.getFileName().toString().equals(uid + "_side_0"))
        .map(p -> p.resolve("cgroup.procs")).filter(Files::exists).findFirst().orElseThrow();
    String sidePid = Files.readAllLines(procs).get(0);
    agent.destroy();
    assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
    // The containers do not need their agent to keep running.
    assertThat(Path.of("/proc", sidePid)).exists();
    startAgent();
    CommandResult exec = null;
    for (int i = 0; i < 600; i++) {
      exec = kubectl("exec", "box", "-c", "side", "--", "cat", "/shared/note");
      if (exec.exitCode() == 0) break;
      Thread.sleep(200);
    }
    assertThat(exec.stdout()).as(exec.stderr() + agentLog()).isEqualTo("from-main\n");
    assertThat(Path.of("/proc", sidePid)).exists();
    assertThat(kubectl("get", "pod", "box", "-o", "jsonpath={.status.containerStatuses[*].restartCount}").stdout())
        .isEqualTo("0 0");
    assertThat(kubectl("logs", "box", "-c", "main").stdout()).startsWith("hello from box\n");
  }

  @Test
  @Order(8)
  void deleteStopsThePodWithinItsGracePeriodAndLeavesNothing() throws Exception {
    String uid = kubectl("get", "pod", "box", "-o", "jsonpath={.metadata.uid}").stdout();
    List<Path> cgroups = podCgroups(uid);
    assertThat(cgroups).isNotEmpty();
    List<String> pids = new ArrayList<>();
    for (Path cgroup : cgroups) {
      Path procs = cgroup.resolve("cgroup.procs");
      if (Files.exists(procs)) pids.addAll(Files.readAllLines(procs));
    }
    assertThat(pids).isNotEmpty();
    // Each container has its cgroup, with its limits: side's 64Mi memory limit.
    Path sideMemory = Path.of("/sys/fs/cgroup/memory/tugboat", uid + "_side_0", "memory.limit_in_bytes");
    if (Files.exists(sideMemory)) assertThat(Files.readString(sideMemory).trim()).isEqualTo("67108864");
    Path sideMemoryV2 = Path.of("/sys/fs/cgroup/tugboat", uid + "_side_0", "memory.max");
    if (Files.exists(sideMemoryV2)) assertThat(Files.readString(sideMemoryV2).trim()).isEqualTo("67108864");
    assertThat(Files.exists(sideMemory) || Files.exists(sideMemoryV2)).as("side's memory cgroup").isTrue();

    Instant start = Instant.now();
    CommandResult deleted = kubectl("delete", "pod", "box", "--timeout=60s");
    Duration took = Duration.between(start, Instant.now());
    assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
    // Both containers end on SIGTERM, so the 20 s grace period is not waited out.
    assertThat(took).isLessThan(Duration.ofSeconds(20));
    assertThat(kubectl("get", "pod", "box").stderr()).contains("not found");

    assertThat(podCgroups(uid)).as("cgroups left").isEmpty();
    // Adopted from the agent before, they are not the agent's children: their parent (PID 1) reaps them in its time.
    assertThat(pids).allSatisfy(pid -> assertThat(exitedOrZombie(pid)).as("process " + pid + " ended").isTrue());
    long agentPid = agent.pid();
    assertThat(Files.readString(Path.of("/proc/" + agentPid + "/mountinfo"))).doesNotContain(dir.toString());
    try (Stream<Path> left = Files.list(dir.resolve("node-data/pods"))) {
      assertThat(left).as("pod directories left" + agentLog()).isEmpty();
    }
    assertThat(run(List.of(TUG.toString(), "runtime", "--root", dir.resolve("runtime").toString(), "list", "-q"), null)
        .stdout()).as("containers left").isBlank();
  }

  @Test
  @Order(9)
  void aContainerIgnoringSigtermIsKilledOnceTheGracePeriodIsOver() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: stubborn
        spec:
          nodeName: %s
          terminationGracePeriodSeconds: 3
          containers:
          - name: c
            image: busybox:test
            command: ["sh", "-c", "trap '' TERM; echo trapped; while true; do sleep 0.1; done"]
        """.formatted(NODE));
    assertThat(kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/stubborn", "--timeout=120s").exitCode())
        .isZero();
    waitForLog("stubborn", "c", "trapped");
    String uid = kubectl("get", "pod", "stubborn", "-o", "jsonpath={.metadata.uid}").stdout();
    Instant start = Instant.now();
    assertThat(kubectl("delete", "pod", "stubborn", "--timeout=60s").exitCode()).isZero();
    assertThat(Duration.between(start, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    assertThat(podCgroups(uid)).isEmpty();
  }

  private static int tick(String line) {
    assertThat(line).matches("tick \\d+");
    return Integer.parseInt(line.substring("tick ".length()));
  }

  private void waitForLog(String pod, String container, String text) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (kubectl("logs", pod, "-c", container).stdout().contains(text)) return;
      Thread.sleep(200);
    }
    throw new AssertionError(pod + "/" + container + " never logged " + text + agentLog());
  }

  private void apply(String manifest) throws Exception {
    Path file = Files.createTempFile(dir, "pod", ".yaml");
    Files.writeString(file, manifest);
    CommandResult applied = kubectl("apply", "-f", file.toString());
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
  }

  private String agentLog() throws IOException {
    return "\nnode agent log:\n" + Files.readString(dir.resolve("node.log"));
  }

  private CommandResult kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command, null);
  }
}
