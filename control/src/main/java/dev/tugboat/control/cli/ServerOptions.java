package dev.tugboat.control.cli;

import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The API server's flags, named as kube-apiserver's, shared by {@code tug server} and {@code tug up}. */
final class ServerOptions {

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Where certificates, admin.kubeconfig and the embedded store live "
          + "(default: /var/lib/tugboat as root, else ./.tugboat).")
  Path dataDir;

  @Option(names = "--secure-port", paramLabel = "PORT", defaultValue = "6443",
      description = "HTTPS port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int securePort;

  @Option(names = "--token-auth-file", paramLabel = "FILE",
      description = "Bearer tokens as CSV lines token,user,uid,\"group1,group2\".")
  Path tokenAuthFile;

  @Option(names = "--store-endpoints", paramLabel = "URLS", split = ",",
      description = "etcd v3 gRPC endpoints (http://HOST:PORT) of a Tugboat store cluster; the first is used "
          + "(default: an embedded store in DATA_DIR/store, a one-member Raft cluster).")
  List<String> storeEndpoints;

  Path dataDirOrDefault() {
    if (dataDir != null) {
      return dataDir;
    }
    return "root".equals(System.getProperty("user.name")) ? Path.of("/var/lib/tugboat") : Path.of(".tugboat");
  }
}
