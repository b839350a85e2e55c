package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.etcd.EtcdGrpcServer;
import dev.tugboat.control.store.etcd.SingleMemberCluster;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tug up}'s control plane (embedded store, resource layer, API server) driven by the real kubectl. */
class ControlPlaneKubectlTest {

  @TempDir
  Path dataDir;

  private record Result(int exitCode, String stdout, String stderr) {}

  private Result kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), out, err);
  }

  private ServerOptions options() {
    ServerOptions options = new ServerOptions();
    options.dataDir = dataDir;
    options.securePort = 0;
    return options;
  }

  @Test
  void kubectlCreatesAppliesAndReadsBackThroughTheWholeControlPlane() throws Exception {
    try (ControlPlane plane = ControlPlane.start(options(), InetAddress.getLoopbackAddress())) {
      Path kubeconfig = plane.apiServer().kubeconfig();
      assertThat(kubectl(kubeconfig, "get", "ns", "-o", "name").stdout())
          .contains("namespace/default", "namespace/kube-system");

      Result createNamespace = kubectl(kubeconfig, "create", "namespace", "demo");
      assertThat(createNamespace.exitCode()).as(createNamespace.stderr()).isZero();
      Result createDeployment = kubectl(kubeconfig, "create", "deployment", "web", "--image=busybox", "-n", "demo");
      assertThat(createDeployment.exitCode()).as(createDeployment.stderr()).isZero();

      Path manifest = dataDir.resolve("cm.yaml");
      Files.writeString(manifest, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: demo\n"
          + "data:\n  mode: one\n");
      assertThat(kubectl(kubeconfig, "apply", "-f", manifest.toString()).stdout()).contains("configmap/settings created");
      Files.writeString(manifest, Files.readString(manifest).replace("mode: one", "mode: two"));
      assertThat(kubectl(kubeconfig, "apply", "-f", manifest.toString()).stdout())
          .contains("configmap/settings configured");
      assertThat(kubectl(kubeconfig, "get", "cm", "settings", "-n", "demo", "-o", "jsonpath={.data.mode}").stdout())
          .isEqualTo("two");

      Result table = kubectl(kubeconfig, "get", "deployments", "-n", "demo");
      assertThat(table.stdout()).contains("NAME", "READY", "web");
    }
  }

  @Test
  void apiServerRunsOverARemoteStoreThroughTheEtcdApi() throws Exception {
    MvccKeyValueStore store = MvccKeyValueStore.inMemory();
    EtcdGrpcServer etcd = EtcdGrpcServer.start(store,
        new SingleMemberCluster("tug-test", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
        List.of(new InetSocketAddress("127.0.0.1", 0)));
    try {
      ServerOptions options = options();
      options.storeEndpoints = List.of("http://127.0.0.1:" + etcd.addresses().get(0).getPort());
      try (ControlPlane plane = ControlPlane.start(options, InetAddress.getLoopbackAddress())) {
        Path kubeconfig = plane.apiServer().kubeconfig();
        Result create = kubectl(kubeconfig, "create", "namespace", "remote");
        assertThat(create.exitCode()).as(create.stderr()).isZero();
        assertThat(kubectl(kubeconfig, "get", "ns", "remote", "-o", "name").stdout().trim()).isEqualTo("namespace/remote");
        Result watch = kubectl(kubeconfig, "get", "ns", "--watch", "--request-timeout=2s", "-o", "name");
        assertThat(watch.stdout()).contains("namespace/remote", "namespace/default");
      }
      // The objects are in the remote store, under Kubernetes' keys.
      assertThat(store.range(RangeRequest.key("/registry/namespaces/remote".getBytes(StandardCharsets.UTF_8)))
          .join().kvs()).hasSize(1);
    } finally {
      etcd.close();
      store.close();
    }
  }

  @Test
  void restartKeepsObjectsAndCredentials() throws Exception {
    Path kubeconfig;
    try (ControlPlane plane = ControlPlane.start(options(), InetAddress.getLoopbackAddress())) {
      kubeconfig = plane.apiServer().kubeconfig();
      assertThat(kubectl(kubeconfig, "create", "namespace", "kept").exitCode()).isZero();
    }
    try (ControlPlane plane = ControlPlane.start(options(), InetAddress.getLoopbackAddress())) {
      assertThat(kubectl(plane.apiServer().kubeconfig(), "get", "ns", "kept", "-o", "name").stdout().trim())
          .isEqualTo("namespace/kept");
    }
  }
}
