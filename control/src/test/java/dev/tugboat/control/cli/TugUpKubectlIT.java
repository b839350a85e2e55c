package dev.tugboat.control.cli;

import static dev.tugboat.control.cli.CommandResult.run;
import static dev.tugboat.control.cli.NodeAgentHost.exitedOrZombie;
import static dev.tugboat.control.cli.NodeAgentHost.podCgroups;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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
 * {@code bin/tug up} as a user starts it, driven by the real kubectl: its node registers and is Ready, a pod made with
 * {@code kubectl run} (no node named) is scheduled onto it and runs from an imported image, {@code logs}, {@code exec}
 * and {@code delete} work; a node agent that stops answering becomes NotReady and Ready again; and stopping
 * {@code tug up} leaves no container, cgroup, process or mount behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TugUpKubectlIT {

  private static final Path TUG = Path.of("..", "bin", "tug").toAbsolutePath().normalize();
  private static final String NODE = "tug-up-node-agent2";

  private Path dir;
  private Process up;
  private Path kubeconfig;
  private final StringBuffer upOutput = new StringBuffer();

  @BeforeAll
  void startTugUp() throws Exception {
    NodeAgentHost.assumeANodeAgentCanRun(TUG);
    dir = Files.createTempDirectory("tug-up-node-agent2");
    Path layout = BusyboxImage.write(dir.resolve("image"), "busybox:test");
    CommandResult imported = run(List.of(TUG.toString(), "image", "--root", dir.resolve("images").toString(), "import",
        layout.toString()));
    assertThat(imported.exitCode()).as(imported.stderr()).isZero();

    up = new ProcessBuilder(TUG.toString(), "up", "--data-dir", dir.resolve("data").toString(), "--secure-port", "0",
        "--node-name", NODE, "--kubelet-port", "0", "--image-store", dir.resolve("images").toString(),
        "--runtime-root", dir.resolve("runtime").toString(), "--node-monitor-grace-period", "15s")
        .redirectErrorStream(true).start();
    CountDownLatch ready = new CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(up.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          upOutput.append(line).append('\n');
          // the banner's last line: the test reads the whole banner once it has seen it
          if (line.startsWith("  kubectl run ")) ready.countDown();
        }
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    for (int i = 0; i < 1800 && !ready.await(100, TimeUnit.MILLISECONDS); i++) {
      assertThat(up.isAlive()).as("tug up exited:\n" + upOutput).isTrue();
    }
    assertThat(ready.getCount()).as("tug up never said its node is Ready:\n" + upOutput).isZero();
    kubeconfig = dir.resolve("data/admin.kubeconfig");
    assertThat(upOutput.toString())
        .contains("Node " + NODE + " is Ready", "export KUBECONFIG=" + kubeconfig, "tug image", "import");
  }

  @AfterAll
  void stop() throws Exception {
    try {
      if (up != null && up.isAlive()) {
        up.destroy();
        if (!up.waitFor(90, TimeUnit.SECONDS)) up.destroyForcibly().waitFor();
      }
    } finally {
      if (dir != null) {
        try (Stream<Path> walk = Files.walk(dir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @Test
  @Order(1)
  void theNodeIsReadyWithItsCapacityInfoAndLease() throws Exception {
    assertThat(kubectl("get", "nodes").stdout()).containsPattern(NODE + "\\s+Ready\\s");
    assertThat(jsonpath("node/" + NODE, "{.status.conditions[?(@.type==\"MemoryPressure\")].status}"))
        .isEqualTo("False");
    assertThat(jsonpath("node/" + NODE, "{.status.conditions[?(@.type==\"DiskPressure\")].status}")).isEqualTo("False");
    assertThat(jsonpath("node/" + NODE, "{.status.conditions[?(@.type==\"PIDPressure\")].status}")).isEqualTo("False");
    assertThat(jsonpath("node/" + NODE, "{.status.conditions[?(@.type==\"Ready\")].lastHeartbeatTime}")).isNotEmpty();
    assertThat(jsonpath("node/" + NODE, "{.status.capacity.cpu}"))
        .isEqualTo(Integer.toString(Runtime.getRuntime().availableProcessors()));
    assertThat(jsonpath("node/" + NODE, "{.status.allocatable.pods}")).isEqualTo("110");
    assertThat(jsonpath("node/" + NODE, "{.status.capacity.ephemeral-storage}")).endsWith("Ki");
    assertThat(jsonpath("node/" + NODE, "{.status.nodeInfo.bootID}"))
        .isEqualTo(Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim());
    assertThat(jsonpath("node/" + NODE, "{.status.addresses[?(@.type==\"InternalIP\")].address}"))
        .isEqualTo("127.0.0.1");
    CommandResult lease = kubectl("get", "lease", NODE, "-n", "kube-node-lease", "-o",
        "jsonpath={.spec.holderIdentity} {.spec.leaseDurationSeconds} {.metadata.ownerReferences[0].kind}");
    assertThat(lease.stdout()).isEqualTo(NODE + " 40 Node");
  }

  @Test
  @Order(2)
  void kubectlRunSchedulesThePodOntoTheNodeAndLogsExecAndDeleteWork() throws Exception {
    CommandResult created = kubectl("run", "x", "--image=busybox:test", "--", "sh", "-c", "echo hello from x; sleep 60");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    CommandResult running = kubectl("wait", "--for=condition=Ready", "pod/x", "--timeout=120s");
    assertThat(running.exitCode()).as(running.stderr() + agentLog()).isZero();
    String wide = kubectl("get", "pods", "-o", "wide").stdout();
    assertThat(wide).containsPattern("x\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+\\S+\\s+" + NODE);
    assertThat(jsonpath("pod/x", "{.status.conditions[?(@.type==\"PodScheduled\")].status}")).isEqualTo("True");

    for (int i = 0; i < 50 && !kubectl("logs", "x").stdout().contains("hello"); i++) Thread.sleep(200);
    assertThat(kubectl("logs", "x").stdout()).isEqualTo("hello from x\n");
    CommandResult exec = kubectl("exec", "x", "--", "echo", "hi");
    assertThat(exec.exitCode()).as(exec.stderr()).isZero();
    assertThat(exec.stdout()).isEqualTo("hi\n");
    String uid = jsonpath("pod/x", "{.metadata.uid}");
    CommandResult deleted = kubectl("delete", "pod", "x", "--timeout=60s");
    assertThat(deleted.exitCode()).as(deleted.stderr()).isZero();
    assertThat(podCgroups(uid)).isEmpty();
  }

  @Test
  @Order(3)
  void aPodNoNodeCanTakeWaitsUnschedulableWithTheReason() throws Exception {
    CommandResult created = kubectl("run", "picky", "--image=busybox:test",
        "--overrides={\"spec\":{\"nodeSelector\":{\"disk\":\"ssd\"}}}", "--", "sleep", "60");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    CommandResult unschedulable = kubectl("wait", "--for=jsonpath={.status.conditions[0].reason}=Unschedulable", "pod/picky",
        "--timeout=30s");
    assertThat(unschedulable.exitCode()).as(unschedulable.stderr()).isZero();
    assertThat(jsonpath("pod/picky", "{.status.conditions[0].message}"))
        .isEqualTo("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.");
    assertThat(kubectl("delete", "pod", "picky", "--timeout=30s").exitCode()).isZero();
  }

  @Test
  @Order(3)
  void readinessAndLivenessProbesDecideReadyAndRestarts() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: probed
        spec:
          containers:
          - name: web
            image: busybox:test
            command: ["sh", "-c", "mkdir -p /www; touch /tmp/alive; httpd -f -p 8080 -h /www"]
            ports:
            - {name: http, containerPort: 8080}
            readinessProbe:
              httpGet: {path: /ready.html, port: http}
              periodSeconds: 1
              failureThreshold: 1
            livenessProbe:
              exec:
                command: ["cat", "/tmp/alive"]
              periodSeconds: 1
              failureThreshold: 2
          - name: tcp
            image: busybox:test
            command: ["sleep", "600"]
            readinessProbe:
              tcpSocket: {port: 8080}
              periodSeconds: 1
        """);
    CommandResult running = kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/probed", "--timeout=120s");
    assertThat(running.exitCode()).as(running.stderr() + agentLog()).isZero();
    // httpd answers 404 until /ready.html exists; the tcp container's probe reaches the same pod's port 8080.
    CommandResult tcpReady = kubectl("wait", "--for=jsonpath={.status.containerStatuses[?(@.name==\"tcp\")].ready}=true",
        "pod/probed", "--timeout=30s");
    assertThat(tcpReady.exitCode()).as(tcpReady.stderr() + agentLog()).isZero();
    assertThat(jsonpath("pod/probed", "{.status.containerStatuses[?(@.name==\"web\")].ready}")).isEqualTo("false");
    assertThat(jsonpath("pod/probed", "{.status.conditions[?(@.type==\"Ready\")].status}")).isEqualTo("False");
    assertThat(kubectl("exec", "probed", "-c", "web", "--", "touch", "/www/ready.html").exitCode()).isZero();
    CommandResult ready = kubectl("wait", "--for=condition=Ready", "pod/probed", "--timeout=30s");
    assertThat(ready.exitCode()).as(ready.stderr() + agentLog()).isZero();
    assertThat(jsonpath("pod/probed", "{.status.containerStatuses[?(@.name==\"web\")].restartCount}")).isEqualTo("0");

    // The liveness probe fails twice in a row: the container is killed and restarted, and is not ready meanwhile.
    assertThat(kubectl("exec", "probed", "-c", "web", "--", "rm", "/tmp/alive").exitCode()).isZero();
    CommandResult restarted = kubectl("wait",
        "--for=jsonpath={.status.containerStatuses[?(@.name==\"web\")].restartCount}=1", "pod/probed",
        "--timeout=60s");
    assertThat(restarted.exitCode()).as(restarted.stderr() + agentLog()).isZero();
    assertThat(jsonpath("pod/probed",
        "{.status.containerStatuses[?(@.name==\"web\")].lastState.terminated.exitCode}")).isEqualTo("137");
    assertThat(kubectl("delete", "pod", "probed", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(3)
  void aStartupProbeHoldsBackReadinessAndLivenessAndKillsAContainerThatNeverStarts() throws Exception {
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: slow-start
        spec:
          containers:
          - name: slow
            image: busybox:test
            command: ["sleep", "600"]
            startupProbe:
              exec:
                command: ["cat", "/tmp/started"]
              periodSeconds: 1
              failureThreshold: 120
            # would kill the container at its first check if it ran before the startup probe passed
            livenessProbe:
              exec:
                command: ["cat", "/tmp/started"]
              periodSeconds: 1
              failureThreshold: 1
          - name: never
            image: busybox:test
            command: ["sleep", "600"]
            startupProbe:
              exec:
                command: ["false"]
              periodSeconds: 1
              failureThreshold: 2
        """);
    CommandResult running = kubectl("wait", "--for=jsonpath={.status.phase}=Running", "pod/slow-start",
        "--timeout=120s");
    assertThat(running.exitCode()).as(running.stderr() + agentLog()).isZero();
    // the container that never starts is killed after two failed checks and restarted
    CommandResult restarted = kubectl("wait",
        "--for=jsonpath={.status.containerStatuses[?(@.name==\"never\")].restartCount}=1", "pod/slow-start",
        "--timeout=60s");
    assertThat(restarted.exitCode()).as(restarted.stderr() + agentLog()).isZero();
    assertThat(jsonpath("pod/slow-start",
        "{.status.containerStatuses[?(@.name==\"never\")].lastState.terminated.exitCode}")).isEqualTo("137");
    // meanwhile the slow container has run for seconds without starting: not started, not ready, not killed
    String slow = "{.status.containerStatuses[?(@.name==\"slow\")]";
    assertThat(jsonpath("pod/slow-start", slow + ".started}")).isEqualTo("false");
    assertThat(jsonpath("pod/slow-start", slow + ".ready}")).isEqualTo("false");
    assertThat(jsonpath("pod/slow-start", slow + ".restartCount}")).isEqualTo("0");
    assertThat(kubectl("exec", "slow-start", "-c", "slow", "--", "touch", "/tmp/started").exitCode()).isZero();
    CommandResult ready = kubectl("wait", "--for=jsonpath=" + slow + ".ready}=true", "pod/slow-start", "--timeout=30s");
    assertThat(ready.exitCode()).as(ready.stderr() + agentLog()).isZero();
    assertThat(jsonpath("pod/slow-start", slow + ".started}")).isEqualTo("true");
    assertThat(jsonpath("pod/slow-start", slow + ".restartCount}")).isEqualTo("0");
    assertThat(kubectl("delete", "pod", "slow-start", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(3)
  void aReplicaSetKeepsItsPodsAndTheGarbageCollectorFollowsItsDeletion() throws Exception {
    String manifest = """
        apiVersion: apps/v1
        kind: ReplicaSet
        metadata:
          name: rs-web
        spec:
          replicas: 2
          selector:
            matchLabels: {app: rs-web}
          template:
            metadata:
              labels: {app: rs-web}
            spec:
              terminationGracePeriodSeconds: 1
              containers:
              - name: c
                image: busybox:test
                command: ["sleep", "600"]
        """;
    apply(manifest);
    waitFor("rs/rs-web", "{.status.readyReplicas}=2");
    List<String> two = awaitPods("app=rs-web", 2);
    assertThat(podsJsonpath("app=rs-web", "{.items[*].metadata.ownerReferences[0].name}")).isEqualTo("rs-web rs-web");

    // a pod deleted is replaced; scaling adds and removes pods
    assertThat(kubectl("delete", "pod", two.get(0), "--wait=false").exitCode()).isZero();
    waitFor("rs/rs-web", "{.status.readyReplicas}=2");
    assertThat(awaitPods("app=rs-web", 2)).doesNotContain(two.get(0));
    assertThat(kubectl("scale", "rs/rs-web", "--replicas=3").exitCode()).isZero();
    waitFor("rs/rs-web", "{.status.readyReplicas}=3");
    assertThat(kubectl("scale", "rs/rs-web", "--replicas=1").exitCode()).isZero();
    waitFor("rs/rs-web", "{.status.replicas}=1");
    String survivor = awaitPods("app=rs-web", 1).get(0);

    // Orphan: the ReplicaSet goes, its pod stays without the reference; a new one adopts it instead of creating
    CommandResult orphaned = kubectl("delete", "rs/rs-web", "--cascade=orphan", "--timeout=60s");
    assertThat(orphaned.exitCode()).as(orphaned.stderr()).isZero();
    CommandResult gone = kubectl("wait", "--for=delete", "rs/rs-web", "--timeout=60s");
    assertThat(gone.exitCode()).as(gone.stderr()).isZero();
    assertThat(jsonpath("pod/" + survivor, "{.metadata.ownerReferences}")).isEmpty();
    apply(manifest.replace("replicas: 2", "replicas: 1"));
    waitFor("pod/" + survivor, "{.metadata.ownerReferences[0].name}=rs-web");
    waitFor("rs/rs-web", "{.status.readyReplicas}=1");
    assertThat(awaitPods("app=rs-web", 1)).containsExactly(survivor);

    // Background, kubectl's default: the ReplicaSet goes at once and the collector deletes its pods
    assertThat(kubectl("delete", "rs/rs-web", "--timeout=60s").exitCode()).isZero();
    CommandResult podsGone = kubectl("wait", "--for=delete", "pod/" + survivor, "--timeout=60s");
    assertThat(podsGone.exitCode()).as(podsGone.stderr() + agentLog()).isZero();
  }

  @Test
  @Order(3)
  void aDeploymentRollsOutRollsBackAndItsReplicaSetsAndPodsGoWithIt() throws Exception {
    CommandResult created = kubectl("create", "deployment", "dep-web", "--image=busybox:test", "--replicas=2",
        "--", "sleep", "600");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    CommandResult rolledOut = kubectl("rollout", "status", "deployment/dep-web", "--timeout=120s");
    assertThat(rolledOut.exitCode()).as(rolledOut.stderr() + agentLog()).isZero();
    assertThat(rolledOut.stdout()).contains("successfully rolled out");
    assertThat(awaitPods("app=dep-web", 2)).allMatch(name -> name.startsWith("dep-web-"));
    assertThat(kubectl("get", "deployment", "dep-web").stdout()).containsPattern("dep-web\\s+2/2\\s+2\\s+2\\s");

    // a new template: a second ReplicaSet takes over, within maxSurge/maxUnavailable, and history shows both
    CommandResult changed = kubectl("set", "env", "deployment/dep-web", "COLOUR=blue");
    assertThat(changed.exitCode()).as(changed.stderr()).isZero();
    CommandResult second = kubectl("rollout", "status", "deployment/dep-web", "--timeout=120s");
    assertThat(second.exitCode()).as(second.stderr() + agentLog()).isZero();
    assertThat(kubectl("get", "rs", "-l", "app=dep-web", "-o", "name").stdout().lines()).hasSize(2);
    assertThat(kubectl("rollout", "history", "deployment/dep-web").stdout()).containsPattern("(?m)^1\\s")
        .containsPattern("(?m)^2\\s");
    List<String> blue = awaitPods("app=dep-web", 2);
    assertThat(kubectl("exec", blue.get(0), "--", "sh", "-c", "echo $COLOUR").stdout()).isEqualTo("blue\n");

    // undo: back to the first template, its ReplicaSet scaled up again as revision 3
    CommandResult undone = kubectl("rollout", "undo", "deployment/dep-web");
    assertThat(undone.exitCode()).as(undone.stderr()).isZero();
    CommandResult third = kubectl("rollout", "status", "deployment/dep-web", "--timeout=120s");
    assertThat(third.exitCode()).as(third.stderr() + agentLog()).isZero();
    assertThat(kubectl("get", "rs", "-l", "app=dep-web", "-o", "name").stdout().lines()).hasSize(2);
    assertThat(kubectl("exec", awaitPods("app=dep-web", 2).get(0), "--", "sh", "-c", "echo ${COLOUR:-none}")
        .stdout()).isEqualTo("none\n");

    assertThat(kubectl("scale", "deployment/dep-web", "--replicas=1").exitCode()).isZero();
    awaitPods("app=dep-web", 1);
    assertThat(kubectl("delete", "deployment", "dep-web", "--timeout=60s").exitCode()).isZero();
    awaitPods("app=dep-web", 0);
    assertThat(kubectl("get", "rs", "-l", "app=dep-web", "-o", "name").stdout()).isEmpty();
  }

  private String podsJsonpath(String selector, String path) throws IOException, InterruptedException {
    return kubectl("get", "pods", "-l", selector, "-o", "jsonpath=" + path).stdout();
  }

  /** The names of the pods the selector matches that are not being deleted, once there are {@code count}. */
  private List<String> awaitPods(String selector, int count) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    List<String> names = List.of();
    while (System.nanoTime() < deadline) {
      String out = podsJsonpath(selector,
          "{range .items[*]}{.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}");
      names = out.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.contains(" ")).toList();
      if (names.size() == count) return names;
      Thread.sleep(500);
    }
    throw new AssertionError("pods " + selector + ": expected " + count + ", last saw " + names + agentLog());
  }

  private void waitFor(String object, String condition) throws Exception {
    CommandResult result = kubectl("wait", "--for=jsonpath=" + condition, object, "--timeout=90s");
    assertThat(result.exitCode()).as(object + " " + condition + ": " + result.stderr() + agentLog()).isZero();
  }

  @Test
  @Order(4)
  void theNodeIdentityReachesItsNodeLeaseAndPodsAndTheConfigMapsTheyUseButNothingElse() throws Exception {
    assertThat(kubectl("run", "y", "--image=busybox:test", "--", "sleep", "600").exitCode()).isZero();
    assertThat(kubectl("wait", "--for=condition=Ready", "pod/y", "--timeout=120s").exitCode()).isZero();
    assertThat(kubectl("create", "configmap", "z-config", "--from-literal=k=v").exitCode()).isZero();
    assertThat(kubectl("create", "configmap", "unrelated", "--from-literal=k=v").exitCode()).isZero();
    apply("""
        apiVersion: v1
        kind: Pod
        metadata:
          name: z
        spec:
          containers:
          - name: c
            image: busybox:test
            env:
            - name: K
              valueFrom:
                configMapKeyRef: {name: z-config, key: k}
        """);
    CommandResult bound = kubectl("wait", "--for=jsonpath={.spec.nodeName}=" + NODE, "pod/z", "--timeout=30s");
    assertThat(bound.exitCode()).as(bound.stderr()).isZero();

    Path node = dir.resolve("data/node/pki/kubelet.kubeconfig");
    assertThat(kubectlAs(node, "auth", "whoami").stdout()).contains("system:node:" + NODE, "system:nodes")
        .doesNotContain("system:masters");
    assertThat(kubectlAs(node, "get", "node", NODE).exitCode()).isZero();
    assertThat(kubectlAs(node, "get", "lease", NODE, "-n", "kube-node-lease").exitCode()).isZero();
    assertThat(kubectlAs(node, "get", "pod", "y").exitCode()).isZero();
    CommandResult mine = kubectlAs(node, "get", "pods", "-A", "--field-selector", "spec.nodeName=" + NODE, "-o", "name");
    assertThat(mine.stdout()).as(mine.stderr()).contains("pod/y", "pod/z");
    CommandResult used = kubectlAs(node, "get", "configmap", "z-config", "-o", "jsonpath={.data.k}");
    assertThat(used.stdout()).as(used.stderr()).isEqualTo("v");

    CommandResult unrelated = kubectlAs(node, "get", "configmap", "unrelated");
    assertThat(unrelated.exitCode()).isNotZero();
    assertThat(unrelated.stderr()).contains("configmaps \"unrelated\" is forbidden: User \"system:node:" + NODE
        + "\" cannot get resource \"configmaps\"", "no relationship found between node '" + NODE + "'");
    CommandResult allPods = kubectlAs(node, "get", "pods", "-A");
    assertThat(allPods.exitCode()).isNotZero();
    assertThat(allPods.stderr()).contains("cannot list resource \"pods\"");
    assertThat(kubectlAs(node, "get", "secrets", "-A").stderr()).contains("cannot list resource \"secrets\"");
    assertThat(kubectlAs(node, "get", "node", "another-node").stderr()).contains("is forbidden");
    assertThat(kubectlAs(node, "create", "namespace", "by-a-node").stderr()).contains("is forbidden");
    assertThat(kubectlAs(node, "delete", "pod", "y", "--wait=false").exitCode()).isZero();
    CommandResult gone = kubectl("wait", "--for=delete", "pod/y", "--timeout=60s");
    assertThat(gone.exitCode()).as(gone.stderr()).isZero();
    assertThat(kubectl("delete", "pod", "z", "--timeout=60s").exitCode()).isZero();
  }

  @Test
  @Order(5)
  void aNodeAgentThatStopsAnsweringBecomesNotReadyAndReadyWhenItIsBack() throws Exception {
    assertThat(kubectl("run", "y", "--image=busybox:test", "--", "sleep", "600").exitCode()).isZero();
    assertThat(kubectl("wait", "--for=condition=Ready", "pod/y", "--timeout=120s").exitCode()).isZero();
    long agent = agentPid();
    assertThat(run(List.of("kill", "-STOP", Long.toString(agent))).exitCode()).isZero();
    try {
      CommandResult unknown = kubectl("wait", "--for=jsonpath={.status.conditions[?(@.type==\"Ready\")].status}=Unknown",
          "node/" + NODE, "--timeout=60s");
      assertThat(unknown.exitCode()).as(unknown.stderr()).isZero();
      assertThat(kubectl("get", "nodes").stdout()).containsPattern(NODE + "\\s+NotReady\\s");
      assertThat(jsonpath("node/" + NODE, "{.status.conditions[?(@.type==\"Ready\")].reason}"))
          .isEqualTo("NodeStatusUnknown");
      CommandResult podNotReady = kubectl("wait", "--for=condition=Ready=false", "pod/y", "--timeout=30s");
      assertThat(podNotReady.exitCode()).as(podNotReady.stderr()).isZero();
    } finally {
      run(List.of("kill", "-CONT", Long.toString(agent)));
    }
    CommandResult ready = kubectl("wait", "--for=condition=Ready", "node/" + NODE, "--timeout=60s");
    assertThat(ready.exitCode()).as(ready.stderr()).isZero();
    CommandResult podReady = kubectl("wait", "--for=condition=Ready", "pod/y", "--timeout=60s");
    assertThat(podReady.exitCode()).as(podReady.stderr() + agentLog()).isZero();
  }

  @Test
  @Order(6)
  void stoppingTugUpLeavesNoContainerCgroupProcessOrMount() throws Exception {
    String uid = jsonpath("pod/y", "{.metadata.uid}");
    List<Path> cgroups = podCgroups(uid);
    assertThat(cgroups).isNotEmpty();
    List<String> pids = new ArrayList<>();
    for (Path cgroup : cgroups) {
      Path procs = cgroup.resolve("cgroup.procs");
      if (Files.exists(procs)) pids.addAll(Files.readAllLines(procs));
    }
    assertThat(pids).isNotEmpty();
    long agent = agentPid();

    up.destroy();
    assertThat(up.waitFor(90, TimeUnit.SECONDS)).as("tug up stops within 90 s").isTrue();
    assertThat(ProcessHandle.of(agent).map(ProcessHandle::isAlive).orElse(false)).as("node agent alive").isFalse();
    assertThat(podCgroups(uid)).as("cgroups left").isEmpty();
    assertThat(pids).allSatisfy(pid -> assertThat(exitedOrZombie(pid)).as("process " + pid + " ended").isTrue());
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(dir.toString());
    assertThat(run(List.of(TUG.toString(), "runtime", "--root", dir.resolve("runtime").toString(), "list", "-q"))
        .stdout()).as("containers left").isBlank();
    try (Stream<Path> left = Files.list(dir.resolve("data/node/data/pods"))) {
      assertThat(left).as("pod directories left").isEmpty();
    }
  }

  private long agentPid() {
    return up.toHandle().descendants().filter(p -> p.info().arguments().map(a -> List.of(a).contains("node"))
        .orElse(false)).findFirst().orElseThrow().pid();
  }

  private String jsonpath(String object, String path) throws IOException, InterruptedException {
    return kubectl("get", object, "-o", "jsonpath=" + path).stdout();
  }

  private String agentLog() throws IOException {
    Path log = dir.resolve("data/node/agent.log");
    return "\nnode agent log:\n" + (Files.exists(log) ? Files.readString(log) : "(none)") + "\ntug up:\n" + upOutput;
  }

  private CommandResult kubectl(String... args) throws IOException, InterruptedException {
    return kubectlAs(kubeconfig, args);
  }

  private CommandResult kubectlAs(Path config, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", config.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  private void apply(String manifest) throws Exception {
    Path file = Files.createTempFile(dir, "object", ".yaml");
    Files.writeString(file, manifest);
    CommandResult applied = kubectl("apply", "-f", file.toString());
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
  }
}
