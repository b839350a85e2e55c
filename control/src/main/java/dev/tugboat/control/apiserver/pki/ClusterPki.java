package dev.tugboat.control.apiserver.pki;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's certificates under {@code DATA_DIR/pki}: the CA ({@code ca.crt}), the API server's serving
 * certificate ({@code apiserver.crt}) and the admin client credential ({@code admin.crt}, CN=admin,
 * O=system:masters). Created on first start and reused afterwards; the serving certificate alone is reissued by
 * the same CA when it no longer covers the names the server is reached by.
 */
public record ClusterPki(CertificateAuthority ca, CertificateAndKey serving, CertificateAndKey admin) {

  private static final Logger LOG = LoggerFactory.getLogger(ClusterPki.class);
  public static final String ADMIN_USER = "admin";
  public static final String MASTERS_GROUP = "system:masters";

  public static ClusterPki loadOrCreate(Path pkiDir, List<String> dnsNames, List<InetAddress> addresses)
      throws IOException {
    CertificateAuthority ca;
    if (CertificateAndKey.exists(pkiDir, "ca")) {
      ca = new CertificateAuthority(CertificateAndKey.read(pkiDir, "ca"));
    } else {
      ca = CertificateAuthority.create("tugboat-ca");
      ca.certificateAndKey().write(pkiDir, "ca");
      LOG.info("created cluster CA {}", pkiDir.resolve("ca.crt"));
    }

    CertificateAndKey serving = null;
    if (CertificateAndKey.exists(pkiDir, "apiserver")) {
      serving = CertificateAndKey.read(pkiDir, "apiserver");
      if (!covers(serving.certificate(), dnsNames, addresses) || !issuedBy(serving.certificate(), ca)) {
        LOG.info("serving certificate {} does not cover {} {}: reissuing it", pkiDir.resolve("apiserver.crt"),
            dnsNames, addresses);
        serving = null;
      }
    }
    if (serving == null) {
      serving = ca.issueServing("tugboat-apiserver", dnsNames, addresses);
      serving.write(pkiDir, "apiserver");
    }

    CertificateAndKey admin;
    if (CertificateAndKey.exists(pkiDir, "admin")) {
      admin = CertificateAndKey.read(pkiDir, "admin");
    } else {
      admin = ca.issueClient(ADMIN_USER, List.of(MASTERS_GROUP));
      admin.write(pkiDir, "admin");
    }
    return new ClusterPki(ca, serving, admin);
  }

  /** The names a serving certificate should hold: localhost, loopback, the bind address (unless wildcard), the host. */
  public static List<String> defaultDnsNames() {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "kubernetes", "kubernetes.default",
        "kubernetes.default.svc"));
    try {
      names.add(InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      LOG.debug("no host name for the serving certificate: {}", e.getMessage());
    }
    return new ArrayList<>(names);
  }

  public static List<InetAddress> defaultAddresses(InetAddress bindAddress) {
    Set<InetAddress> addresses = new LinkedHashSet<>();
    addresses.add(InetAddress.getLoopbackAddress());
    if (!bindAddress.isAnyLocalAddress()) {
      addresses.add(bindAddress);
    }
    return new ArrayList<>(addresses);
  }

  private static boolean issuedBy(X509Certificate certificate, CertificateAuthority ca) {
    try {
      certificate.verify(ca.certificate().getPublicKey());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  private static boolean covers(X509Certificate certificate, List<String> dnsNames, List<InetAddress> addresses) {
    Set<String> present = new HashSet<>();
    try {
      Collection<List<?>> alternativeNames = certificate.getSubjectAlternativeNames();
      if (alternativeNames != null) {
        for (List<?> entry : alternativeNames) {
          Object value = entry.get(1);
          if ((Integer) entry.get(0) == 7) {
            present.add(InetAddress.getByName((String) value).getHostAddress());
          } else {
            present.add(String.valueOf(value));
          }
        }
      }
    } catch (CertificateParsingException | IOException e) {
      return false;
    }
    return present.containsAll(dnsNames)
        && addresses.stream().map(InetAddress::getHostAddress).allMatch(present::contains);
  }
}
