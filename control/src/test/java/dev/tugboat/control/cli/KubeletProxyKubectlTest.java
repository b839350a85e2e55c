package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kubectl logs and exec of pods whose node agent cannot be reached: the API server answers with a Status that says
 * why (no node assigned, node not registered, node without address, node agent not listening).
 */
class KubeletProxyKubectlTest {

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

  private void apply(Path kubeconfig, String manifest) throws Exception {
    Path file = Files.createTempFile(dataDir, "object", ".yaml");
    Files.writeString(file, manifest);
    Result applied = kubectl(kubeconfig, "apply", "-f", file.toString());
    assertThat(applied.exitCode()).as(applied.stderr()).isZero();
  }

  private static String pod(String name, String node) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
        spec:
          nodeName: %s
          containers:
          - name: c
            image: busybox
        """.formatted(name, node);
  }

  @Test
  void logsAndExecOfPodsWhoseNodeAgentCannotBeReachedSayWhy() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    ServerOptions options = new ServerOptions();
    options.dataDir = dataDir;
    options.securePort = 0;
    try (ControlPlane plane = ControlPlane.start(options, InetAddress.getLoopbackAddress())) {
      Path kubeconfig = plane.apiServer().kubeconfig();
      apply(kubeconfig, """
          apiVersion: v1
          kind: Node
          metadata:
            name: ghost
          """);
      Path status = Files.writeString(dataDir.resolve("status.json"), ("{\"status\":{\"addresses\":[{\"type\":"
          + "\"InternalIP\",\"address\":\"127.0.0.1\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":%d}}}}")
          .formatted(closedPort));
      Result patched = kubectl(kubeconfig, "patch", "node", "ghost", "--subresource=status", "--type=merge",
          "--patch-file=" + status);
      assertThat(patched.exitCode()).as(patched.stderr()).isZero();
      apply(kubeconfig, """
          apiVersion: v1
          kind: Node
          metadata:
            name: blank
          """);
      apply(kubeconfig, pod("on-ghost", "ghost"));
      apply(kubeconfig, pod("on-blank", "blank"));
      apply(kubeconfig, pod("on-nowhere", "nowhere"));

      Result unreachable = kubectl(kubeconfig, "logs", "on-ghost");
      assertThat(unreachable.exitCode()).isNotZero();
      assertThat(unreachable.stderr()).contains("the node agent of node ghost at https://127.0.0.1:" + closedPort
          + " cannot be reached");
      // kubectl retries a failed WebSocket upgrade over SPDY: that attempt must fail for the same reason.
      Result execUnreachable = kubectl(kubeconfig, "exec", "on-ghost", "--", "true");
      assertThat(execUnreachable.exitCode()).isNotZero();
      assertThat(execUnreachable.stderr()).contains("node ghost", "cannot be reached");

      assertThat(kubectl(kubeconfig, "logs", "on-blank").stderr()).contains("node blank of pod on-blank has no InternalIP");
      assertThat(kubectl(kubeconfig, "logs", "on-nowhere").stderr())
          .contains("pod on-nowhere is bound to node nowhere, which is not registered");
      assertThat(kubectl(kubeconfig, "logs", "no-such-pod").stderr()).contains("pods \"no-such-pod\" not found");
    }
  }
}
