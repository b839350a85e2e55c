package dev.tugboat.control.apiserver.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;

/** A kubeconfig file with one cluster, one user and one context, its credentials embedded as kubectl expects. */
public final class Kubeconfig {

  private Kubeconfig() {}

  public static String render(String clusterName, String serverUrl, CertificateAndKey ca, String userName,
                              CertificateAndKey client) {
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: %1$s
          cluster:
            server: %2$s
            certificate-authority-data: %3$s
        users:
        - name: %4$s
          user:
            client-certificate-data: %5$s
            client-key-data: %6$s
        contexts:
        - name: %4$s@%1$s
          context:
            cluster: %1$s
            user: %4$s
        current-context: %4$s@%1$s
        preferences: {}
        """.formatted(clusterName, serverUrl, base64(ca.certificatePem()), userName,
        base64(client.certificatePem()), base64(client.privateKeyPem()));
  }

  public static void write(Path file, String content) throws IOException {
    CertificateAndKey.writeAtomically(file, content, true);
  }

  private static String base64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.UTF_8));
  }
}
