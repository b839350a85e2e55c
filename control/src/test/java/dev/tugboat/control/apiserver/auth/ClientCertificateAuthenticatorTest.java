package dev.tugboat.control.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import dev.tugboat.control.apiserver.pki.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

class ClientCertificateAuthenticatorTest {

  private static final CertificateAuthority CA = CertificateAuthority.create("cluster-ca");
  private static final CertificateAuthority OTHER_CA = CertificateAuthority.create("other-ca");

  @Test
  void certificateOfTheClusterCaNamesItsUserAndGroupsEveryTime() {
    ClientCertificateAuthenticator authenticator = new ClientCertificateAuthenticator(CA.certificate());
    X509Certificate leaf = CA.issueClient("alice", List.of("team-a", "team-b")).certificate();
    UserInfo expected = new UserInfo("alice", List.of("team-a", "team-b", RequestAuthenticator.AUTHENTICATED_GROUP));
    assertThat(authenticator.authenticate(leaf)).isEqualTo(expected);
    assertThat(authenticator.authenticate(leaf)).isEqualTo(expected);
  }

  @Test
  void equalCertificateOfAnotherConnectionIsAuthenticatedToo() throws Exception {
    ClientCertificateAuthenticator authenticator = new ClientCertificateAuthenticator(CA.certificate());
    CertificateAndKey issued = CA.issueClient("bob", List.of());
    // two objects for one certificate, as two TLS connections of one client hold (the JDK's factory would answer the
    // same object from its cache; BouncyCastle's does not cache)
    CertificateFactory factory = CertificateFactory.getInstance("X.509", new BouncyCastleProvider());
    byte[] encoded = issued.certificate().getEncoded();
    X509Certificate first = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(encoded));
    X509Certificate second = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(encoded));
    assertThat(second).isEqualTo(first).isNotSameAs(first);
    assertThat(authenticator.authenticate(first).name()).isEqualTo("bob");
    assertThat(authenticator.authenticate(second).name()).isEqualTo("bob");
  }

  @Test
  void certificateOfAnotherCaIsRefusedEveryTime() {
    ClientCertificateAuthenticator authenticator = new ClientCertificateAuthenticator(CA.certificate());
    X509Certificate stranger = OTHER_CA.issueClient("mallory", List.of("system:masters")).certificate();
    assertThat(authenticator.authenticate(stranger)).isNull();
    assertThat(authenticator.authenticate(stranger)).isNull();
  }

  @Test
  void certificateOfAnotherCaWithTheSameSubjectAsAVerifiedOneIsRefused() {
    ClientCertificateAuthenticator authenticator = new ClientCertificateAuthenticator(CA.certificate());
    assertThat(authenticator.authenticate(CA.issueClient("admin", List.of()).certificate())).isNotNull();
    assertThat(authenticator.authenticate(OTHER_CA.issueClient("admin", List.of()).certificate())).isNull();
  }
}
