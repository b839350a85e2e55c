package dev.tugboat.control.cli;

import dev.tugboat.control.apiserver.auth.NodeAuthorizer;
import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import dev.tugboat.control.apiserver.pki.CertificateAuthority;
import dev.tugboat.control.apiserver.pki.Kubeconfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tug kubelet-certificate}: what a node agent needs from the cluster CA, issued on the control-plane machine:
 * its serving certificate (the API server verifies it for the node's address when it proxies logs and exec), the CA
 * certificate, and a kubeconfig with a client certificate for the node (CN system:node:NAME).
 */
@Command(name = "kubelet-certificate", mixinStandardHelpOptions = true,
    description = "Issue a node agent's serving certificate and kubeconfig from the cluster CA in DATA_DIR/pki: "
        + "writes OUT/kubelet.crt, OUT/kubelet.key, OUT/ca.crt and OUT/kubelet.kubeconfig.")
final class KubeletCertificateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--data-dir", paramLabel = "DIR", required = true,
      description = "The API server's data dir (its CA is DIR/pki/ca.crt and ca.key).")
  Path dataDir;

  @Option(names = "--node-name", paramLabel = "NAME", required = true, description = "The Node's name.")
  String nodeName;

  @Option(names = "--address", paramLabel = "ADDR", required = true, split = ",",
      description = "The address(es) the node agent serves on (its Node's InternalIP).")
  List<String> addresses;

  @Option(names = "--out", paramLabel = "DIR", required = true, description = "Directory to write the files to.")
  Path out;

  @Option(names = "--server", paramLabel = "URL",
      description = "The API server URL for the kubeconfig (default: the one in DATA_DIR/admin.kubeconfig).")
  String server;

  @Override
  public Integer call() throws IOException {
    Path pki = dataDir.resolve("pki");
    if (!CertificateAndKey.exists(pki, "ca")) {
      spec.commandLine().getErr().println("tug kubelet-certificate: --data-dir " + dataDir + ": no cluster CA there (" + pki.resolve("ca.crt")
          + " and ca.key); start `tug server --data-dir " + dataDir + "` once first");
      return 1;
    }
    List<InetAddress> ips = new ArrayList<>();
    for (String address : addresses) {
      if (!address.matches("[0-9.]+|[0-9a-fA-F:]+")) {
        spec.commandLine().getErr().println("tug kubelet-certificate: --address " + address + ": not an IP address");
        return 1;
      }
      ips.add(InetAddress.getByName(address));
    }
    String url = server != null ? server : serverOf(dataDir.resolve("admin.kubeconfig"));
    if (url == null) {
      spec.commandLine().getErr().println("tug kubelet-certificate: no --server given and none found in " + dataDir.resolve("admin.kubeconfig"));
      return 1;
    }
    write(new CertificateAuthority(CertificateAndKey.read(pki, "ca")), nodeName, ips, url, out);
    spec.commandLine().getOut().println("wrote " + out.resolve("kubelet.crt") + ", " + out.resolve("kubelet.key") + ", "
        + out.resolve("ca.crt") + ", " + out.resolve("kubelet.kubeconfig"));
    return 0;
  }

  /**
   * Writes OUT/kubelet.crt and .key (serving, for the node's name and addresses), OUT/ca.crt and
   * OUT/kubelet.kubeconfig (client certificate CN=system:node:NAME, O=system:nodes, for {@code url}).
   */
  static void write(CertificateAuthority ca, String nodeName, List<InetAddress> ips, String url, Path out)
      throws IOException {
    List<String> dnsNames = new ArrayList<>(new LinkedHashSet<>(List.of(nodeName, "localhost")));
    CertificateAndKey serving = ca.issueServing("system:node:" + nodeName, dnsNames, ips);
    // Kubernetes' node identity: the node authorizer gives it its own Node and Lease and its pods, nothing else.
    CertificateAndKey client = ca.issueClient(NodeAuthorizer.NODE_USER_PREFIX + nodeName,
        List.of(NodeAuthorizer.NODES_GROUP));
    Files.createDirectories(out);
    serving.write(out, "kubelet");
    Files.writeString(out.resolve("ca.crt"), ca.certificateAndKey().certificatePem());
    Kubeconfig.write(out.resolve("kubelet.kubeconfig"), Kubeconfig.render("tugboat", url, ca.certificateAndKey(),
        "system:node:" + nodeName, client));
  }

  private static String serverOf(Path kubeconfig) throws IOException {
    if (!Files.exists(kubeconfig)) {
      return null;
    }
    for (String line : Files.readAllLines(kubeconfig)) {
      String trimmed = line.trim();
      if (trimmed.startsWith("server:")) {
        return trimmed.substring("server:".length()).trim();
      }
    }
    return null;
  }
}
