package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.auth.Authorizer;
import dev.tugboat.control.apiserver.auth.NodeAuthorizer;
import dev.tugboat.control.apiserver.auth.ClientCertificateAuthenticator;
import dev.tugboat.control.apiserver.auth.RequestAuthenticator;
import dev.tugboat.control.apiserver.auth.TokenAuthFile;
import dev.tugboat.control.apiserver.pki.ClusterPki;
import dev.tugboat.control.apiserver.pki.Kubeconfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * The API server as one unit: certificates under {@code DATA_DIR/pki}, {@code DATA_DIR/admin.kubeconfig}, the
 * authenticator and authorizer, and the HTTPS listener in front of a {@link ResourceApi}.
 */
public final class KubeApiServer implements AutoCloseable {

  /**
   * @param tokenAuthFile null for none
   * @param port          0 picks a free port
   */
  public record Options(Path dataDir, InetAddress bindAddress, int port, Path tokenAuthFile) {}

  private final ApiServer server;
  private final Path kubeconfig;
  private final ClusterPki pki;

  private KubeApiServer(ApiServer server, Path kubeconfig, ClusterPki pki) {
    this.server = server;
    this.kubeconfig = kubeconfig;
    this.pki = pki;
  }

  public static KubeApiServer start(Options options, ResourceApi api) throws IOException, InterruptedException {
    Map<String, UserInfo> tokens = options.tokenAuthFile() == null ? Map.of()
        : readTokens(options.tokenAuthFile());
    ClusterPki pki = ClusterPki.loadOrCreate(options.dataDir().resolve("pki"), ClusterPki.defaultDnsNames(),
        ClusterPki.defaultAddresses(options.bindAddress()));
    ApiDispatcher dispatcher = new ApiDispatcher(api,
        new RequestAuthenticator(new ClientCertificateAuthenticator(pki.ca().certificate()), tokens),
        new Authorizer(new NodeAuthorizer(NodeAuthorizer.PodIndex.over(api, KubeletProxy.SELF))),
        new KubeletProxy(api, pki.ca()));
    ApiServer server = ApiServer.start(new InetSocketAddress(options.bindAddress(), options.port()), pki, dispatcher);
    try {
      Path kubeconfig = options.dataDir().resolve("admin.kubeconfig");
      Kubeconfig.write(kubeconfig, Kubeconfig.render("tugboat", serverUrl(server.localAddress()),
          pki.ca().certificateAndKey(), ClusterPki.ADMIN_USER, pki.admin()));
      return new KubeApiServer(server, kubeconfig, pki);
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  private static Map<String, UserInfo> readTokens(Path file) throws IOException {
    try {
      return TokenAuthFile.read(file);
    } catch (IOException e) {
      throw new IOException("--token-auth-file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The URL clients use: a wildcard bind address is reached on loopback. */
  static String serverUrl(InetSocketAddress bound) {
    InetAddress address = bound.getAddress();
    String host = address.isAnyLocalAddress() ? "127.0.0.1" : address.getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "https://" + host + ":" + bound.getPort();
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public ClusterPki pki() {
    return pki;
  }

  public InetSocketAddress localAddress() {
    return server.localAddress();
  }

  public String url() {
    return serverUrl(server.localAddress());
  }

  @Override
  public void close() {
    server.close();
  }
}
