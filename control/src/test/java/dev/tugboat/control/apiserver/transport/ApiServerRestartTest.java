package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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

  /** A client that trusts the cluster CA, as the fabric8 client builds one (the JDK's HttpClient). */
  private static HttpClient trustingClient(Path caFile) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (var in = Files.newInputStream(caFile)) {
      trusted.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trust.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).build();
  }

  /** A namespace watch over a WebSocket, as fabric8 opens it; {@code closed} gets the server's close code. */
  private static WebSocket watchNamespaces(HttpClient http, int port, BlockingQueue<String> events,
                                           CompletableFuture<Integer> closed) throws Exception {
    return http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + TestApiServer.ADMIN_TOKEN)
        .buildAsync(URI.create("wss://127.0.0.1:" + port + "/api/v1/namespaces?watch=true"), new WebSocket.Listener() {
          @Override
          public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            events.add(data.toString());
            socket.request(1);
            return null;
          }

          @Override
          public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
          }

          @Override
          public void onError(WebSocket socket, Throwable error) {
            closed.completeExceptionally(error);
          }
        }).get(15, TimeUnit.SECONDS);
  }

  @Test
  void stoppingServerClosesWatchWebSocketsWithGoingAway() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    CompletableFuture<Integer> closed = new CompletableFuture<>();
    try (TestApiServer server = new TestApiServer(dataDir)) {
      HttpClient http = trustingClient(server.caFile());
      watchNamespaces(http, server.server.localAddress().getPort(), events, closed);
      assertThat(events.poll(15, TimeUnit.SECONDS)).as("the watch's first event").contains("\"ADDED\"");
    }
    // not an abnormal closure (1006), which the fabric8 client echoes back, the JDK refuses, and fabric8 logs
    assertThat(closed.get(15, TimeUnit.SECONDS)).isEqualTo(1001);
  }

  @Test
  void restartBindsTheSamePortAtOnceThoughTheConnectionsItClosedLinger() throws Exception {
    int port;
    try (TestApiServer first = new TestApiServer(dataDir); Socket idle = new Socket()) {
      port = first.server.localAddress().getPort();
      idle.connect(first.server.localAddress(), 15_000);
      idle.setSoTimeout(15_000);
      // Not TLS: the server closes the connection at once, once it has it (stopping the server right after connect
      // raced its accepting the connection). The server closed first, so its end waits in TIME_WAIT on the port.
      idle.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = idle.getInputStream();
      while (in.read() != -1) {
        // whatever the server answers before it closes
      }
    }
    try (TestApiServer second = new TestApiServer(dataDir, port)) {
      assertThat(second.server.localAddress().getPort()).isEqualTo(port);
      var result = TestApiServer.kubectl(second.server.kubeconfig(), "get", "ns", "default", "-o", "name");
      assertThat(result.exitCode()).as(result.stderr()).isZero();
    }
  }
}
