package dev.tugboat.runtime.kubelet;

import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for HTTPS probes, which kubelet sends without verifying the server's certificate: a probe asks whether the
 * container answers, and containers serve self-signed or cluster-internal certificates the node cannot know.
 */
final class UnverifiedTls {

  private static final SSLSocketFactory FACTORY = factory();

  private UnverifiedTls() {}

  /** TLS over an already connected socket; closing the result closes {@code plain}. */
  static Socket wrap(Socket plain, String host, int port) throws IOException {
    SSLSocket tls = (SSLSocket) FACTORY.createSocket(plain, host, port, true);
    tls.startHandshake();
    return tls;
  }

  private static SSLSocketFactory factory() {
    TrustManager acceptAll = new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {acceptAll}, null);
      return context.getSocketFactory();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("TLS is not available in this JDK", e);
    }
  }
}
