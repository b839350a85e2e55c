package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiServerRestartTest {

  @TempDir
  Path dataDir;

  @Test
  void restartedServerKeepsItsCaAndAdminCredentialSoOldClientsStillWork() throws Exception {
    byte[] caBefore;
    byte[] adminBefore;
    Path savedKubeconfig = dataDir.resolveSibling(dataDir.getFileName() + "-saved.kubeconfig");
    try (TestApiServer first = new TestApiServer(dataDir)) {
      caBefore = Files.readAllBytes(dataDir.resolve("pki/ca.crt"));
      adminBefore = Files.readAllBytes(dataDir.resolve("pki/admin.crt"));
      Files.copy(first.server.kubeconfig(), savedKubeconfig);
    }
    try (TestApiServer second = new TestApiServer(dataDir)) {
      assertThat(Files.readAllBytes(dataDir.resolve("pki/ca.crt"))).isEqualTo(caBefore);
      assertThat(Files.readAllBytes(dataDir.resolve("pki/admin.crt"))).isEqualTo(adminBefore);
      // The old kubeconfig's credentials, pointed at the new port, are still accepted.
      var result = TestApiServer.kubectl(savedKubeconfig, "--server", second.server.url(), "get", "ns", "-o", "name");
      assertThat(result.exitCode()).as(result.stderr()).isZero();
      assertThat(result.stdout()).contains("namespace/default");
    } finally {
      Files.deleteIfExists(savedKubeconfig);
    }
  }
}
