package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.transport.KubeApiServer;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real kubectl 1.32 against the resource layer over the MVCC store, through the real transport. */
class KubectlAgainstResourcesTest {

  @TempDir
  static Path dataDir;
  static MvccKeyValueStore store;
  static Resources resources;
  static KubeApiServer server;

  @BeforeAll
  static void start() throws Exception {
    store = MvccKeyValueStore.inMemory();
    resources = Resources.over(store, Clock.systemUTC());
    server = KubeApiServer.start(new KubeApiServer.Options(dataDir, InetAddress.getLoopbackAddress(), 0, null),
        resources);
  }

  @AfterAll
  static void stop() {
    server.close();
    resources.close();
    store.close();
  }

  record Result(int exitCode, String stdout, String stderr) {}

  static Result kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", server.kubeconfig().toString(),
        "--cache-dir", dataDir.resolve("kube-cache").toString(), "--request-timeout=30s"));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    byte[] stdout = process.getInputStream().readAllBytes();
    byte[] stderr = process.getErrorStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command + " did not finish");
    }
    return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
        new String(stderr, StandardCharsets.UTF_8));
  }

  static Result ok(String... args) throws IOException, InterruptedException {
    Result result = kubectl(args);
    assertThat(result.exitCode()).as("kubectl %s: %s", String.join(" ", args), result.stderr()).isZero();
    return result;
  }

  static Path manifest(String name, String yaml) throws IOException {
    Path file = dataDir.resolve(name);
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void runGetLabelAndDeleteAPod() throws Exception {
    assertThat(ok("run", "web", "--image=nginx:1.25").stdout()).contains("pod/web created");
    String table = ok("get", "pods").stdout();
    assertThat(table.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "READY", "STATUS", "RESTARTS",
        "AGE");
    assertThat(table).containsPattern("web\\s+0/1\\s+Pending\\s+0\\s+");
    assertThat(ok("get", "pods", "-o", "wide").stdout().lines().findFirst().orElseThrow())
        .contains("IP", "NODE", "NOMINATED NODE");
    assertThat(ok("label", "pod", "web", "tier=front").stdout()).contains("pod/web labeled");
    assertThat(ok("get", "pods", "-l", "tier=front", "-o", "name").stdout().trim()).isEqualTo("pod/web");
    assertThat(ok("get", "pods", "--field-selector", "status.phase=Pending", "-o", "name").stdout())
        .contains("pod/web");
    assertThat(ok("delete", "pod", "web").stdout()).contains("pod \"web\" deleted");
    Result missing = kubectl("get", "pod", "web");
    assertThat(missing.exitCode()).isNotZero();
    assertThat(missing.stderr()).contains("Error from server (NotFound): pods \"web\" not found");
  }

  @Test
  void applyCreatesThenConfiguresADeploymentWithStrategicMergePatches() throws Exception {
    String v1 = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: shop
          labels: {app: shop}
        spec:
          replicas: 2
          selector: {matchLabels: {app: shop}}
          template:
            metadata: {labels: {app: shop}}
            spec:
              containers:
              - name: web
                image: nginx:1.25
                ports: [{containerPort: 80}]
                env: [{name: A, value: "1"}, {name: B, value: "2"}]
              - name: sidecar
                image: busybox:1.36
        """;
    assertThat(ok("apply", "-f", manifest("shop-v1.yaml", v1).toString()).stdout())
        .contains("deployment.apps/shop created");
    String v2 = v1.replace("nginx:1.25", "nginx:1.26").replace("{name: B, value: \"2\"}", "{name: C, value: \"3\"}")
        .replace("      - name: sidecar\n        image: busybox:1.36\n", "");
    assertThat(v2).doesNotContain("sidecar");
    assertThat(ok("apply", "-f", manifest("shop-v2.yaml", v2).toString()).stdout())
        .contains("deployment.apps/shop configured");
    String containers = ok("get", "deployment", "shop", "-o",
        "jsonpath={range .spec.template.spec.containers[*]}{.name}={.image};{end}").stdout();
    assertThat(containers).isEqualTo("web=nginx:1.26;");
    String env = ok("get", "deployment", "shop", "-o",
        "jsonpath={range .spec.template.spec.containers[0].env[*]}{.name}{end}").stdout();
    assertThat(env).isEqualTo("AC");
    assertThat(ok("apply", "-f", manifest("shop-v2b.yaml", v2).toString()).stdout())
        .contains("deployment.apps/shop unchanged");
    assertThat(ok("get", "deployment", "shop", "-o", "jsonpath={.metadata.generation}").stdout()).isEqualTo("2");
    assertThat(ok("scale", "deployment", "shop", "--replicas=4").stdout()).contains("deployment.apps/shop scaled");
    assertThat(ok("get", "deploy", "shop", "-o", "jsonpath={.spec.replicas}").stdout()).isEqualTo("4");
    String table = ok("get", "deploy").stdout();
    assertThat(table.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "READY", "UP-TO-DATE",
        "AVAILABLE", "AGE");
    assertThat(table).containsPattern("shop\\s+0/4\\s+0\\s+0\\s+");
  }

  /** The issue's own case: one file with a Deployment, a Service and a ConfigMap, applied, then applied changed. */
  @Test
  void applyOfOneFileWithThreeKindsThenOfItsChangedForm() throws Exception {
    ok("create", "namespace", "store");
    String v1 = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: cart, namespace: store}
        spec:
          replicas: 1
          selector: {matchLabels: {app: cart}}
          template:
            metadata: {labels: {app: cart}}
            spec:
              containers: [{name: cart, image: "busybox:1.36", ports: [{containerPort: 8080}]}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cart, namespace: store}
        spec:
          selector: {app: cart}
          ports: [{name: http, port: 80, targetPort: 8080}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cart-settings, namespace: store}
        data: {currency: EUR, timeout: "30s"}
        """;
    assertThat(ok("apply", "-f", manifest("cart-v1.yaml", v1).toString()).stdout()).contains(
        "deployment.apps/cart created", "service/cart created", "configmap/cart-settings created");
    String clusterIp = ok("get", "svc", "cart", "-n", "store", "-o", "jsonpath={.spec.clusterIP}").stdout();
    assertThat(clusterIp).matches("10\\.\\d+\\.\\d+\\.\\d+");

    // the changed file: a second replica, a second port, one key changed and one dropped (apply prunes what the
    // last applied configuration had and this one has not)
    String v2 = v1.replace("replicas: 1", "replicas: 2")
        .replace("ports: [{name: http, port: 80, targetPort: 8080}]",
            "ports: [{name: http, port: 80, targetPort: 8080}, {name: admin, port: 9090, targetPort: 9090}]")
        .replace("data: {currency: EUR, timeout: \"30s\"}", "data: {currency: CHF}");
    assertThat(ok("apply", "-f", manifest("cart-v2.yaml", v2).toString()).stdout()).contains(
        "deployment.apps/cart configured", "service/cart configured", "configmap/cart-settings configured");
    assertThat(ok("get", "deploy", "cart", "-n", "store", "-o", "jsonpath={.spec.replicas}").stdout()).isEqualTo("2");
    assertThat(ok("get", "svc", "cart", "-n", "store", "-o",
        "jsonpath={range .spec.ports[*]}{.name}:{.port};{end}").stdout()).isEqualTo("http:80;admin:9090;");
    assertThat(ok("get", "svc", "cart", "-n", "store", "-o", "jsonpath={.spec.clusterIP}").stdout())
        .as("the Service keeps the cluster IP it was given").isEqualTo(clusterIp);
    assertThat(ok("get", "cm", "cart-settings", "-n", "store", "-o", "json").stdout())
        .contains("\"currency\": \"CHF\"").doesNotContain("timeout");
    assertThat(ok("apply", "-f", manifest("cart-v2b.yaml", v2).toString()).stdout()).contains(
        "deployment.apps/cart unchanged", "service/cart unchanged", "configmap/cart-settings unchanged");
  }

  @Test
  void annotateSetsOverwritesAndRemovesAnnotations() throws Exception {
    ok("create", "configmap", "notes", "--from-literal=k=v");
    assertThat(ok("annotate", "configmap", "notes", "owner=team-a").stdout())
        .contains("configmap/notes annotated");
    Result again = kubectl("annotate", "configmap", "notes", "owner=team-b");
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.stderr()).contains("already has a value (team-a)");
    ok("annotate", "--overwrite", "configmap", "notes", "owner=team-b", "ticket=42");
    assertThat(ok("get", "configmap", "notes", "-o", "jsonpath={.metadata.annotations.owner}/"
        + "{.metadata.annotations.ticket}").stdout()).isEqualTo("team-b/42");
    ok("annotate", "configmap", "notes", "ticket-");
    assertThat(ok("get", "configmap", "notes", "-o", "yaml").stdout()).contains("owner: team-b")
        .doesNotContain("ticket");
  }

  @Test
  void exposeGivesAServiceAClusterIp() throws Exception {
    ok("create", "deployment", "api", "--image=busybox:1.36");
    assertThat(ok("expose", "deployment", "api", "--port=80", "--target-port=8080").stdout())
        .contains("service/api exposed");
    String table = ok("get", "svc", "api").stdout();
    assertThat(table.lines().findFirst().orElseThrow()).containsSubsequence("NAME", "TYPE", "CLUSTER-IP",
        "EXTERNAL-IP", "PORT(S)", "AGE");
    assertThat(table).containsPattern("api\\s+ClusterIP\\s+10\\.\\d+\\.\\d+\\.\\d+\\s+<none>\\s+80/TCP");
    ok("create", "service", "nodeport", "np", "--tcp=8080:8080");
    assertThat(ok("get", "svc", "np", "-o", "jsonpath={.spec.ports[0].nodePort}").stdout()).matches("3\\d{4}");
  }

  @Test
  void configMapsSecretsAndNamespacesPrintTheirColumns() throws Exception {
    ok("create", "namespace", "team");
    ok("create", "configmap", "settings", "-n", "team", "--from-literal=a=1", "--from-literal=b=2");
    ok("create", "secret", "generic", "token", "-n", "team", "--from-literal=t=s3cret");
    assertThat(ok("get", "cm", "settings", "-n", "team").stdout()).containsPattern("settings\\s+2\\s+");
    assertThat(ok("get", "secret", "token", "-n", "team").stdout()).containsPattern("token\\s+Opaque\\s+1\\s+");
    assertThat(ok("get", "secret", "token", "-n", "team", "-o", "jsonpath={.data.t}").stdout())
        .isEqualTo("czNjcmV0");
    assertThat(ok("get", "ns", "team").stdout()).containsPattern("team\\s+Active\\s+");
    assertThat(ok("delete", "ns", "team", "--wait=false").stdout()).contains("namespace \"team\" deleted");
    assertThat(ok("get", "ns", "team").stdout()).containsPattern("team\\s+Terminating\\s+");
  }

  @Test
  void invalidObjectsAreRefusedWithTheFieldNamed() throws Exception {
    Path bad = manifest("bad-pod.yaml", """
        apiVersion: v1
        kind: Pod
        metadata: {name: broken}
        spec:
          containers:
          - name: c
        """);
    Result result = kubectl("create", "-f", bad.toString());
    assertThat(result.exitCode()).isNotZero();
    assertThat(result.stderr()).contains("The Pod \"broken\" is invalid: spec.containers[0].image: Required value");
  }

  @Test
  void patchAndGetAllWork() throws Exception {
    ok("create", "configmap", "p1", "--from-literal=a=1");
    ok("patch", "configmap", "p1", "--type=json", "-p", "[{\"op\":\"add\",\"path\":\"/data/b\",\"value\":\"2\"}]");
    ok("patch", "configmap", "p1", "--type=merge", "-p", "{\"data\":{\"c\":\"3\"}}");
    assertThat(ok("get", "cm", "p1", "-o", "jsonpath={.data}").stdout()).contains("\"b\":\"2\"", "\"c\":\"3\"");
    ok("run", "lonely", "--image=busybox:1.36");
    assertThat(ok("get", "all").stdout()).contains("pod/lonely", "service/kubernetes");
  }

  @Test
  void describeShowsThePodAndItsEvents() throws Exception {
    ok("run", "described", "--image=busybox:1.36");
    String uid = ok("get", "pod", "described", "-o", "jsonpath={.metadata.uid}").stdout();
    ok("create", "-f", manifest("event.yaml", """
        apiVersion: v1
        kind: Event
        metadata: {name: described.1, namespace: default}
        involvedObject: {kind: Pod, name: described, namespace: default, uid: %s}
        reason: Scheduled
        message: assigned default/described to node-1
        type: Normal
        source: {component: default-scheduler}
        """.formatted(uid)).toString());
    String described = ok("describe", "pod", "described").stdout();
    assertThat(described).contains("Name:", "described", "busybox:1.36", "Scheduled",
        "assigned default/described to node-1");
    assertThat(ok("get", "events").stdout().lines().findFirst().orElseThrow())
        .containsSubsequence("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE");
  }

  @Test
  void getWatchPrintsTheTableAndThenChanges() throws Exception {
    ok("create", "namespace", "watched");
    Process watch = new ProcessBuilder("kubectl", "--kubeconfig", server.kubeconfig().toString(), "--cache-dir",
        dataDir.resolve("kube-cache").toString(), "get", "configmaps", "-n", "watched", "-w").start();
    try {
      ok("create", "configmap", "first", "-n", "watched");
      StringBuilder seen = new StringBuilder();
      var reader = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream(),
          StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        seen.append(line).append('\n');
        if (line.startsWith("first")) {
          break;
        }
      }
      assertThat(seen.toString()).contains("first");
    } finally {
      watch.destroy();
      watch.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
