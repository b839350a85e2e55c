package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** HTTP/1.1 and HTTP/2 on the one TLS port, driven by curl with the admin client certificate. */
class HttpTransportTest {

  @TempDir
  static Path dataDir;
  static TestApiServer api;

  @BeforeAll
  static void start() throws Exception {
    api = new TestApiServer(dataDir);
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static TestApiServer.Result curl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--cacert", api.caFile().toString(),
        "--cert", dataDir.resolve("pki/admin.crt").toString(), "--key", dataDir.resolve("pki/admin.key").toString()));
    command.addAll(List.of(args));
    return TestApiServer.run(command);
  }

  private static JsonNode json(String body) {
    return JsonMapper.shared().readTree(body);
  }

  @Test
  void tlsRunsOnBoringSsl() throws Exception {
    // the native library ships in control's runtime classpath; without it TLS falls back to the slower JDK engine
    assertThat(ApiServer.SSL_PROVIDER).isEqualTo(io.netty.handler.ssl.SslProvider.OPENSSL);
    var result = curl("-v", "--http2", api.server.url() + "/version");
    assertThat(result.stderr()).containsPattern("SSL connection using TLSv1\\.3");
  }

  @Test
  void servesHttp2WhenAlpnOffersIt() throws Exception {
    var result = curl("--http2", "-w", "\n%{http_version} %{http_code}", api.server.url() + "/version");
    assertThat(result.stdout()).contains("\"gitVersion\":\"v1.32.0-tugboat\"").endsWith("\n2 200");
  }

  @Test
  void servesHttp11WhenTheClientAsksForIt() throws Exception {
    var result = curl("--http1.1", "-w", "\n%{http_version} %{http_code}", api.server.url() + "/api/v1/namespaces");
    assertThat(result.stdout()).endsWith("\n1.1 200");
    assertThat(result.stdout()).contains("\"kind\":\"NamespaceList\"");
  }

  @Test
  void requestWithoutCredentialsGetsUnauthorizedStatus() throws Exception {
    var result = TestApiServer.run(List.of("curl", "-sS", "--cacert", api.caFile().toString(), "-w", "\n%{http_code}",
        api.server.url() + "/api/v1/namespaces"));
    String[] parts = result.stdout().split("\n");
    assertThat(parts[1]).isEqualTo("401");
    JsonNode status = json(parts[0]);
    assertThat(status.path("kind").asString()).isEqualTo("Status");
    assertThat(status.path("reason").asString()).isEqualTo("Unauthorized");
    assertThat(status.path("code").asInt()).isEqualTo(401);
  }

  @Test
  void healthEndpointsNeedNoCredentials() throws Exception {
    for (String path : List.of("/healthz", "/livez", "/readyz")) {
      var result = TestApiServer.run(List.of("curl", "-sS", "--cacert", api.caFile().toString(), api.server.url() + path));
      assertThat(result.stdout()).as(path).isEqualTo("ok");
    }
  }

  @Test
  void unknownPathIsNotFoundStatus() throws Exception {
    for (String path : List.of("/nothing/here", "/api/v1/widgets", "/apis/apps/v1/namespaces/default/gadgets/x")) {
      var result = curl("-w", "\n%{http_code}", api.server.url() + path);
      String[] parts = result.stdout().split("\n");
      assertThat(parts[1]).as(path).isEqualTo("404");
      assertThat(json(parts[0]).path("message").asString()).isEqualTo("the server could not find the requested resource");
    }
  }

  @Test
  void bodyOverThreeMebibytesIsRequestEntityTooLarge() throws Exception {
    Path big = dataDir.resolve("big.json");
    Files.write(big, new byte[3 * 1024 * 1024 + 1]);
    for (String version : List.of("--http1.1", "--http2")) {
      var result = curl(version, "-w", "\n%{http_code}", "-H", "Content-Type: application/json", "--data-binary",
          "@" + big, api.server.url() + "/api/v1/namespaces");
      String[] parts = result.stdout().split("\n");
      assertThat(parts[parts.length - 1]).as(version).isEqualTo("413");
      JsonNode status = json(parts[0]);
      assertThat(status.path("reason").asString()).isEqualTo("RequestEntityTooLarge");
      assertThat(status.path("message").asString()).isEqualTo("Request entity too large: limit is 3145728");
    }
  }

  @Test
  void aggregatedDiscoveryIsServedWhenAskedFor() throws Exception {
    var result = curl("-D", "-", "-H",
        "Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json",
        api.server.url() + "/apis");
    assertThat(result.stdout()).containsIgnoringCase(
        "content-type: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
    JsonNode list = json(result.stdout().substring(result.stdout().indexOf('{')));
    assertThat(list.path("kind").asString()).isEqualTo("APIGroupDiscoveryList");
    JsonNode deployments = list.path("items").get(0).path("versions").get(0).path("resources").get(0);
    assertThat(deployments.path("resource").asString()).isEqualTo("deployments");
    assertThat(deployments.path("subresources").get(1).path("responseKind").path("kind").asString()).isEqualTo("Scale");
  }

  @Test
  void watchOverHttp11IsChunkedJsonLines() throws Exception {
    var result = curl("--http1.1", "-D", "-", "--max-time", "2", api.server.url() + "/api/v1/namespaces?watch=true");
    assertThat(result.stdout()).containsIgnoringCase("transfer-encoding: chunked");
    assertThat(result.stdout()).contains("{\"type\":\"ADDED\",\"object\":{\"kind\":\"Namespace\"");
    assertThat(result.exitCode()).as("curl stops the endless stream at --max-time").isEqualTo(28);
  }

  @Test
  void watchOverHttp2StreamsDataFramesAndTheLegacyWatchPrefixWorks() throws Exception {
    var result = curl("--http2", "--max-time", "2", api.server.url() + "/api/v1/watch/namespaces");
    assertThat(result.stdout().lines().filter(l -> l.startsWith("{\"type\":\"ADDED\"")).count()).isGreaterThanOrEqualTo(2);
    assertThat(result.exitCode()).isEqualTo(28);
  }

  @Test
  void watcherThatStopsReadingIsCutOffInsteadOfBufferedWithoutBound(@TempDir Path floodDir) throws Exception {
    try (TestApiServer flooded = new TestApiServer(floodDir)) {
      watcherThatStopsReadingIsCutOff(flooded);
    }
  }

  private static void watcherThatStopsReadingIsCutOff(TestApiServer api) throws Exception {
    int before = api.resources.watcherCount();
    try (SSLSocket socket = adminSocket(api)) {
      OutputStream out = socket.getOutputStream();
      out.write(("GET /api/v1/namespaces?watch=true HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
          + TestApiServer.ADMIN_TOKEN + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      in.read(new byte[64]); // the watch has started; from here on the client reads nothing
      awaitWatchers(api, before + 1);
      for (int i = 0; i < 64 && api.resources.watcherCount() > before; i++) {
        api.resources.createNamespace("flood-" + i, 1024 * 1024);
      }
      awaitWatchers(api, before);
    }
    assertThat(api.resources.watcherCount()).isEqualTo(before);
  }

  @Test
  void http2WatcherThatStopsReadingIsCutOffOnceItsStreamWindowAndTheServersAllowanceAreFull(@TempDir Path floodDir)
      throws Exception {
    try (TestApiServer flooded = new TestApiServer(floodDir)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry("ca", flooded.server.pki().ca().certificate());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      HttpClient client = HttpClient.newBuilder().sslContext(context).version(HttpClient.Version.HTTP_2).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create(flooded.server.url() + "/api/v1/namespaces?watch=1"))
          .header("Authorization", "Bearer " + TestApiServer.ADMIN_TOKEN).build();
      int before = flooded.resources.watcherCount();
      // A body subscriber that never asks for data: the stream's flow-control window fills and stays full.
      CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, info -> new HttpResponse.BodySubscriber<Void>() {
        @Override
        public CompletionStage<Void> getBody() {
          return new CompletableFuture<>();
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {}

        @Override
        public void onNext(List<ByteBuffer> item) {}

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {}
      });
      awaitWatchers(flooded, before + 1);
      for (int i = 0; i < 128 && flooded.resources.watcherCount() > before; i++) {
        flooded.resources.createNamespace("flood-" + i, 1024 * 1024);
      }
      awaitWatchers(flooded, before);
      assertThat(flooded.resources.watcherCount()).isEqualTo(before);
      response.cancel(true);
    }
  }

  private static void awaitWatchers(TestApiServer api, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (api.resources.watcherCount() != count && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  private static SSLSocket adminSocket(TestApiServer api) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", api.server.pki().ca().certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, tmf.getTrustManagers(), null);
    SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", api.server.localAddress().getPort());
    socket.setReceiveBufferSize(4096);
    socket.startHandshake();
    return socket;
  }
}
