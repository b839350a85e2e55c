package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import dev.tugboat.control.apiserver.pki.ClusterPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class KubeletCertificateCommandTest {

  @TempDir
  Path dir;

  private final StringWriter err = new StringWriter();

  private int tug(String... args) {
    CommandLine tug = TugMain.commandLine();
    tug.setErr(new PrintWriter(err, true));
    tug.setOut(new PrintWriter(new StringWriter(), true));
    return tug.execute(args);
  }

  @Test
  void issuesAServingCertificateForTheNodesAddressAndANodeKubeconfigFromTheClusterCa() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dir.resolve("server/pki"), List.of("localhost"),
        List.of(InetAddress.getLoopbackAddress()));
    assertThat(tug("kubelet-certificate", "--data-dir", dir.resolve("server").toString(), "--node-name", "n1",
        "--address", "10.1.2.3", "--out", dir.resolve("node").toString(), "--server", "https://127.0.0.1:6443"))
        .as(err.toString()).isZero();
    X509Certificate serving = CertificateAndKey.readCertificate(dir.resolve("node/kubelet.crt"));
    serving.verify(pki.ca().certificate().getPublicKey());
    assertThat(serving.getSubjectAlternativeNames()).extracting(name -> name.get(1).toString())
        .contains("n1", "10.1.2.3");
    assertThat(serving.getExtendedKeyUsage()).contains("1.3.6.1.5.5.7.3.1");
    assertThat(Files.readString(dir.resolve("node/ca.crt"))).isEqualTo(pki.ca().certificateAndKey().certificatePem());
    assertThat(Files.readString(dir.resolve("node/kubelet.kubeconfig")))
        .contains("server: https://127.0.0.1:6443", "name: system:node:n1");
  }

  @Test
  void badInputIsRefusedNamingTheFlag() {
    assertThat(tug("kubelet-certificate", "--data-dir", dir.toString(), "--node-name", "n1", "--address", "10.1.2.3",
        "--out", dir.resolve("node").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("--data-dir " + dir + ": no cluster CA there");
    assertThat(dir.resolve("node")).doesNotExist();
  }

  @Test
  void anAddressMustBeAnIpAddress() throws Exception {
    ClusterPki.loadOrCreate(dir.resolve("pki"), List.of("localhost"), List.of(InetAddress.getLoopbackAddress()));
    assertThat(tug("kubelet-certificate", "--data-dir", dir.toString(), "--node-name", "n1", "--address", "node.example",
        "--out", dir.resolve("node").toString())).isEqualTo(1);
    assertThat(err.toString()).contains("--address node.example: not an IP address");
    assertThat(dir.resolve("node")).doesNotExist();
  }
}
