package dev.tugboat.control.apiserver.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.interfaces.ECPrivateKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterPkiTest {

  @TempDir
  Path dir;

  @Test
  void firstStartCreatesCaServingAndAdminCredentialsWithPrivateKeys() throws Exception {
    ClusterPki pki = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of(InetAddress.getLoopbackAddress()));
    for (String name : List.of("ca", "apiserver", "admin")) {
      assertThat(dir.resolve(name + ".crt")).exists();
      assertThat(Files.getPosixFilePermissions(dir.resolve(name + ".key")))
          .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }
    assertThat(pki.admin().certificate().getSubjectX500Principal().getName()).isEqualTo("CN=admin,O=system:masters");
    pki.admin().certificate().verify(pki.ca().certificate().getPublicKey());
    pki.serving().certificate().verify(pki.ca().certificate().getPublicKey());
    assertThat(pki.serving().certificate().getSubjectAlternativeNames())
        .contains(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
  }

  @Test
  void restartReusesTheSameCertificates() throws Exception {
    ClusterPki first = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of(InetAddress.getLoopbackAddress()));
    ClusterPki second = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of(InetAddress.getLoopbackAddress()));
    assertThat(second.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(second.serving().certificate()).isEqualTo(first.serving().certificate());
    assertThat(second.admin().certificate()).isEqualTo(first.admin().certificate());
    assertThat(((ECPrivateKey) second.admin().privateKey()).getS())
        .isEqualTo(((ECPrivateKey) first.admin().privateKey()).getS());
  }

  @Test
  void servingCertificateIsReissuedByTheSameCaWhenANewAddressMustBeCovered() throws Exception {
    ClusterPki first = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of(InetAddress.getLoopbackAddress()));
    InetAddress other = InetAddress.getByName("10.1.2.3");
    ClusterPki second = ClusterPki.loadOrCreate(dir, List.of("localhost"), List.of(InetAddress.getLoopbackAddress(), other));
    assertThat(second.ca().certificate()).isEqualTo(first.ca().certificate());
    assertThat(second.serving().certificate()).isNotEqualTo(first.serving().certificate());
    assertThat(second.serving().certificate().getSubjectAlternativeNames()).contains(List.of(7, "10.1.2.3"));
    assertThat(second.admin().certificate()).isEqualTo(first.admin().certificate());
  }
}
