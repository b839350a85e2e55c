package dev.tugboat.control.apiserver.pki;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority that signs the cluster's serving and client certificates. Keys are ECDSA P-256: quick to
 * generate and read by Go's crypto/tls (kubectl), OpenSSL (curl) and the JDK alike.
 */
public final class CertificateAuthority {

  private static final Duration CA_VALIDITY = Duration.ofDays(3650);
  private static final Duration LEAF_VALIDITY = Duration.ofDays(365);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final CertificateAndKey ca;

  public CertificateAuthority(CertificateAndKey ca) {
    this.ca = ca;
  }

  public CertificateAndKey certificateAndKey() {
    return ca;
  }

  public X509Certificate certificate() {
    return ca.certificate();
  }

  /** A new self-signed CA named {@code commonName}. */
  public static CertificateAuthority create(String commonName) {
    KeyPair keys = newKeyPair();
    X500Name subject = name(commonName, List.of());
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic(), CA_VALIDITY)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
          .addExtension(Extension.keyUsage, true,
              new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature))
          .addExtension(Extension.subjectKeyIdentifier, false, extensions.createSubjectKeyIdentifier(keys.getPublic()));
      X509Certificate certificate = sign(builder, keys);
      return new CertificateAuthority(new CertificateAndKey(certificate, keys.getPrivate()));
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException("create CA " + commonName + ": " + e.getMessage(), e);
    }
  }

  /** A TLS server certificate valid for every DNS name and IP address given. */
  public CertificateAndKey issueServing(String commonName, List<String> dnsNames, List<InetAddress> addresses) {
    List<GeneralName> names = new ArrayList<>();
    dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    addresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip.getHostAddress())));
    return issue(name(commonName, List.of()), KeyPurposeId.id_kp_serverAuth, new GeneralNames(names.toArray(GeneralName[]::new)));
  }

  /** A TLS client certificate: Kubernetes reads CN as the user name and each O as a group. */
  public CertificateAndKey issueClient(String user, List<String> groups) {
    return issue(name(user, groups), KeyPurposeId.id_kp_clientAuth, null);
  }

  private CertificateAndKey issue(X500Name subject, KeyPurposeId purpose, GeneralNames subjectAlternativeNames) {
    KeyPair keys = newKeyPair();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(
          X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()), subject, keys.getPublic(),
          LEAF_VALIDITY)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
          .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
          .addExtension(Extension.authorityKeyIdentifier, false,
              extensions.createAuthorityKeyIdentifier(ca.certificate()));
      if (subjectAlternativeNames != null) {
        builder.addExtension(Extension.subjectAlternativeName, false, subjectAlternativeNames);
      }
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(ca.privateKey());
      X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      return new CertificateAndKey(certificate, keys.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | java.io.IOException e) {
      throw new IllegalStateException("issue certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject, key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair keys) throws GeneralSecurityException {
    try {
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X500Name name(String commonName, List<String> organizations) {
    X500NameBuilder builder = new X500NameBuilder(BCStyle.INSTANCE);
    organizations.forEach(o -> builder.addRDN(BCStyle.O, o));
    builder.addRDN(BCStyle.CN, commonName);
    return builder.build();
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("generate EC P-256 key: " + e.getMessage(), e);
    }
  }
}
