package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tug node's bad input is refused before anything starts, naming the flag and the file. */
class NodeAgentStartTest {

  @TempDir
  Path dir;

  private NodeAgent.Options options(String name, Path kubeconfig, Path cert, Path key) {
    return new NodeAgent.Options(kubeconfig, name, dir.resolve("data"), cert, key, "127.0.0.1", 0,
        dir.resolve("images"), dir.resolve("runtime"), false);
  }

  /** A kubeconfig naming a CA and a certificate from it, made by openssl. */
  private Path kubeconfigAndCertificate() throws Exception {
    Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
        "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=test-ca", "-days", "1", "-keyout",
        dir.resolve("ca.key").toString(), "-out", dir.resolve("ca.crt").toString()).redirectErrorStream(true).start();
    String out = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (openssl.waitFor() != 0) throw new IOException("openssl: " + out);
    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(dir.resolve("ca.crt")));
    return Files.writeString(dir.resolve("kubeconfig"), """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster:
            server: https://127.0.0.1:1
            certificate-authority-data: %s
        users:
        - name: u
          user:
            token: t
        contexts:
        - name: x
          context:
            cluster: c
            user: u
        current-context: x
        """.formatted(ca));
  }

  @Test
  void aNodeNameThatIsNoDnsSubdomainIsRefused() {
    assertThatThrownBy(() -> NodeAgent.start(options("Node_A", dir.resolve("k"), dir.resolve("c"), dir.resolve("k"))))
        .hasMessageContaining("--node-name Node_A: must be a DNS subdomain");
  }

  @Test
  void missingOrUnreadableFilesAreNamedWithTheirFlag() throws Exception {
    assertThatThrownBy(() -> NodeAgent.start(options("n1", dir.resolve("missing"), dir.resolve("c"), dir.resolve("k"))))
        .hasMessageContaining("--kubeconfig " + dir.resolve("missing") + ": cannot read");
    Path kubeconfig = kubeconfigAndCertificate();
    Path notACertificate = Files.writeString(dir.resolve("bad.crt"), "hello");
    assertThatThrownBy(() -> NodeAgent.start(options("n1", kubeconfig, notACertificate, dir.resolve("ca.key"))))
        .hasMessageContaining("--cert " + notACertificate + ": not a PEM certificate");
    assertThatThrownBy(() -> NodeAgent.start(options("n1", kubeconfig, dir.resolve("ca.crt"), dir.resolve("ca.crt"))))
        .hasMessageContaining("--key " + dir.resolve("ca.crt") + ": not a PEM private key");
  }
}
