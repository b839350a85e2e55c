package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * httpGet probes against servers in this process's own network namespace (the prober joins the namespace of the pid
 * it is given): HTTPS with a self-signed certificate passes as kubelet's does, the status decides, and the scheme
 * must match what the port speaks.
 */
class ProberHttpsTest {

  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  @TempDir Path tmp;
  private HttpsServer tls;
  private HttpServer plain;

  @BeforeEach
  void serve() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "joining a network namespace needs root");
    Path keystore = tmp.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "secret", "-alias",
        "server", "-keyalg", "EC", "-dname", "CN=probed-container", "-validity", "2").redirectErrorStream(true).start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(keystore)) {
      keys.load(in, "secret".toCharArray());
    }
    KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    managers.init(keys, "secret".toCharArray());
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(managers.getKeyManagers(), null, null);
    tls = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    tls.setHttpsConfigurator(new HttpsConfigurator(context));
    plain = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (var server : List.of(tls, plain)) {
      server.createContext("/", exchange -> {
        int status = exchange.getRequestURI().getPath().equals("/healthz") ? 200 : 404;
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
      server.start();
    }
  }

  @AfterEach
  void stop() {
    if (tls != null) tls.stop(0);
    if (plain != null) plain.stop(0);
  }

  private static Probe httpGet(String scheme, int port, String path) {
    return new ProbeBuilder().withNewHttpGet().withScheme(scheme).withPort(new IntOrString(port)).withPath(path)
        .endHttpGet().withTimeoutSeconds(5).build();
  }

  private static boolean check(Probe probe) {
    return new Prober(null).check(probe, List.of(), "probed", OWN_PID);
  }

  @Test
  void anHttpsProbeAcceptsTheContainersOwnCertificateAndReadsTheStatus() {
    int port = tls.getAddress().getPort();
    assertThat(check(httpGet("HTTPS", port, "/healthz"))).isTrue();
    assertThat(check(httpGet("HTTPS", port, "/missing"))).as("404").isFalse();
    assertThat(check(httpGet("HTTP", port, "/healthz"))).as("plain HTTP to a TLS port").isFalse();
  }

  @Test
  void anHttpProbeStaysPlain() {
    int port = plain.getAddress().getPort();
    assertThat(check(httpGet("HTTP", port, "/healthz"))).isTrue();
    assertThat(check(httpGet("HTTPS", port, "/healthz"))).as("TLS to a plain port").isFalse();
  }
}
