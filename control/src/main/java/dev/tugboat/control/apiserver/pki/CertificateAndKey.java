package dev.tugboat.control.apiserver.pki;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import java.security.interfaces.ECPrivateKey;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

/** An X.509 certificate with its private key, as the pair of PEM files Kubernetes tools read ({@code x.crt}, {@code x.key}). */
public record CertificateAndKey(X509Certificate certificate, PrivateKey privateKey) {

  public String certificatePem() {
    return pem(certificate);
  }

  /**
   * The key as kubeadm writes an ECDSA key: SEC1 "EC PRIVATE KEY" with the curve and the public key inside. Go's
   * crypto/tls, OpenSSL, BouncyCastle and the fabric8 client all read it (fabric8 reads no PKCS#8 EC keys, and
   * needs the curve in the SEC1 structure).
   */
  public String privateKeyPem() {
    if (!(privateKey instanceof ECPrivateKey ec)) {
      return pem(privateKey);
    }
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(privateKey.getEncoded());
    SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(certificate.getPublicKey().getEncoded());
    org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
        ec.getParams().getOrder().bitLength(), ec.getS(), publicKey.getPublicKeyData(),
        info.getPrivateKeyAlgorithm().getParameters());
    try {
      return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@code dir/name.crt} and {@code dir/name.key} (mode 0600), each atomically. */
  public void write(Path dir, String name) throws IOException {
    Files.createDirectories(dir);
    writeAtomically(dir.resolve(name + ".crt"), certificatePem(), false);
    writeAtomically(dir.resolve(name + ".key"), privateKeyPem(), true);
  }

  public static boolean exists(Path dir, String name) {
    return Files.exists(dir.resolve(name + ".crt")) && Files.exists(dir.resolve(name + ".key"));
  }

  public static CertificateAndKey read(Path dir, String name) throws IOException {
    Path crt = dir.resolve(name + ".crt");
    Path key = dir.resolve(name + ".key");
    return new CertificateAndKey(readCertificate(crt), readPrivateKey(key));
  }

  public static X509Certificate readCertificate(Path file) throws IOException {
    return parseCertificate(Files.readString(file), file.toString());
  }

  public static X509Certificate parseCertificate(String pem, String source) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      if (!(object instanceof X509CertificateHolder holder)) {
        throw new IOException(source + ": not a PEM certificate");
      }
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IOException(source + ": " + e.getMessage(), e);
    }
  }

  static PrivateKey readPrivateKey(Path file) throws IOException {
    return parsePrivateKey(Files.readString(file), file.toString());
  }

  /** A PEM private key, PKCS#8 or SEC1/PKCS#1 ("EC PRIVATE KEY", "RSA PRIVATE KEY"), as kubeconfigs carry them. */
  public static PrivateKey parsePrivateKey(String pem, String source) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object object = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      throw new IOException(source + ": not a PEM private key");
    }
  }

  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static void writeAtomically(Path file, String content, boolean secret) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    if (secret) {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
