package dev.tugboat.control.apiserver.transport;

import java.net.Socket;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Asks TLS clients for a certificate issued by the cluster CA but lets the handshake finish whatever they send:
 * the certificate is verified afterwards by the authenticator, so a bad one is an HTTP 401 Status (as with Go's
 * {@code tls.RequestClientCert} in kube-apiserver), not a TLS alert. Never used for server certificates.
 */
final class ClientCertificateRequestingTrustManager extends X509ExtendedTrustManager {

  private final X509Certificate[] acceptedIssuers;

  ClientCertificateRequestingTrustManager(X509Certificate ca) {
    this.acceptedIssuers = new X509Certificate[] {ca};
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) {
    throw new UnsupportedOperationException("server-side trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
    throw new UnsupportedOperationException("server-side trust manager");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    throw new UnsupportedOperationException("server-side trust manager");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return acceptedIssuers.clone();
  }
}
