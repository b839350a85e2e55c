package dev.tugboat.bench.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code tug server} as a real process on loopback with its own data dir, reached through its admin kubeconfig. */
public final class ApiServerProcess implements AutoCloseable {
  private final Process process;
  private final Path kubeconfig;

  private ApiServerProcess(Process process, Path kubeconfig) {
    this.process = process;
    this.kubeconfig = kubeconfig;
  }

  public static ApiServerProcess start(Path home, Path dataDir, Duration readyWithin) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Files.createDirectories(dataDir);
    ProcessBuilder builder = new ProcessBuilder(List.of(home.resolve("bin/tug").toString(), "server", "--data-dir",
        dataDir.toString(), "--bind-address", "127.0.0.1", "--secure-port", Integer.toString(port)))
        .redirectErrorStream(true).redirectOutput(dataDir.resolve("server.log").toFile());
    // the server's own JVM options (a flight recording, heap flags), apart from the bench's TUG_JAVA_OPTS
    String serverOptions = System.getenv("TUG_BENCH_SERVER_JAVA_OPTS");
    if (serverOptions != null) {
      builder.environment().put("TUG_JAVA_OPTS", serverOptions);
    }
    // the server on another JDK than the bench's (bin/tug runs $JAVA_HOME's java), to compare JDKs on the same client
    String serverJavaHome = System.getenv("TUG_BENCH_SERVER_JAVA_HOME");
    if (serverJavaHome != null) {
      builder.environment().put("JAVA_HOME", serverJavaHome);
    }
    Process p = builder.start();
    ApiServerProcess server = new ApiServerProcess(p, dataDir.resolve("admin.kubeconfig"));
    try {
      server.awaitReady(readyWithin);
      return server;
    } catch (Exception e) {
      server.close();
      throw e;
    }
  }

  private void awaitReady(Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("tug server exited with status " + process.exitValue());
      }
      if (Files.exists(kubeconfig)) {
        try (KubernetesClient c = client()) {
          c.namespaces().withName("default").get();
          return;
        } catch (Exception e) {
          last = e;
        }
      }
      Thread.sleep(100);
    }
    throw new IOException("tug server not ready within " + within, last);
  }

  public KubernetesClient client() throws IOException {
    Config config = config();
    config.setRequestTimeout(60_000);
    config.setMaxConcurrentRequests(256);
    config.setMaxConcurrentRequestsPerHost(256);
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The admin kubeconfig: the server's address, its CA and the admin's client certificate. */
  public Config config() throws IOException {
    return Config.fromKubeconfig(Files.readString(kubeconfig));
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
