package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import dev.tugboat.control.apiserver.pki.Kubeconfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A running {@link KubeApiServer} over {@link InMemoryNamespaces} in a temporary data directory, with a token file
 * that defines an admin ({@code admin-token}, in system:masters) and a read-only user ({@code viewer-token}), and
 * ways to run the real kubectl and curl against it.
 */
final class TestApiServer implements AutoCloseable {

  static final String ADMIN_TOKEN = "admin-token-0123456789";
  static final String VIEWER_TOKEN = "viewer-token-0123456789";

  final Path dataDir;
  final InMemoryNamespaces resources = new InMemoryNamespaces();
  final KubeApiServer server;

  TestApiServer(Path dataDir) throws IOException, InterruptedException {
    this(dataDir, 0);
  }

  /** On {@code port}; 0 picks a free one. */
  TestApiServer(Path dataDir, int port) throws IOException, InterruptedException {
    this.dataDir = dataDir;
    Path tokens = dataDir.resolve("tokens.csv");
    Files.createDirectories(dataDir);
    Files.writeString(tokens, ADMIN_TOKEN + ",alice,1001,\"system:masters\"\n" + VIEWER_TOKEN + ",viewer,1002,\"viewers,qa\"\n");
    server = KubeApiServer.start(
        new KubeApiServer.Options(dataDir, InetAddress.getLoopbackAddress(), port, tokens), resources);
  }

  Path caFile() {
    return dataDir.resolve("pki/ca.crt");
  }

  /** A kubeconfig that trusts the cluster CA and authenticates with {@code token}, or not at all if null. */
  Path kubeconfigWithToken(String name, String token) throws IOException {
    String ca = java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(caFile()));
    String user = token == null ? "{}" : "{token: " + token + "}";
    Path file = dataDir.resolve(name + ".kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: c
          cluster: {server: "%s", certificate-authority-data: %s}
        users:
        - name: u
          user: %s
        contexts:
        - name: x
          context: {cluster: c, user: u}
        current-context: x
        """.formatted(server.url(), ca, user));
    return file;
  }

  /** A kubeconfig for a client certificate that another CA issued. */
  Path kubeconfigWithForeignCertificate(CertificateAndKey foreignCa, CertificateAndKey client) throws IOException {
    String rendered = Kubeconfig.render("tugboat", server.url(), server.pki().ca().certificateAndKey(), "stranger", client);
    Path file = dataDir.resolve("foreign.kubeconfig");
    Files.writeString(file, rendered);
    return file;
  }

  static Result kubectl(Path kubeconfig, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    command.addAll(List.of(args));
    return run(command);
  }

  static Result run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    process.getOutputStream().close();
    var stdout = process.getInputStream().readAllBytes();
    var stderr = process.getErrorStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(command + " did not finish");
    }
    return new Result(process.exitValue(), new String(stdout, StandardCharsets.UTF_8),
        new String(stderr, StandardCharsets.UTF_8));
  }

  record Result(int exitCode, String stdout, String stderr) {}

  @Override
  public void close() {
    server.close();
  }
}
