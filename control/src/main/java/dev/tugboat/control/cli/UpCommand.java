package dev.tugboat.control.cli;

import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tug up}: the all-in-one cluster on this machine: the API server over the embedded store, the scheduler, the
 * node lifecycle controller, and a node agent registered as this machine's Node, until SIGINT or SIGTERM.
 */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Run an all-in-one cluster on this machine: API server, embedded store, scheduler, node "
        + "lifecycle controller and a node agent (pods run from images imported with `tug image import`).")
final class UpCommand implements Callable<Integer> {

  private static final Pattern GO_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  @Mixin
  ServerOptions server = new ServerOptions();

  @Option(names = "--bind-address", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}: a local cluster).")
  String bindAddress;

  @Option(names = "--node-name", paramLabel = "NAME",
      description = "This machine's Node name (default: the host name, in lower case).")
  String nodeName;

  @Option(names = "--kubelet-port", paramLabel = "PORT", defaultValue = "10250",
      description = "The node agent's HTTPS port for logs and exec (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int kubeletPort;

  @Option(names = "--image-store", paramLabel = "DIR",
      description = "The node's image store (default: the node agent's, /var/lib/tugboat/images).")
  Path imageStore;

  @Option(names = "--runtime-root", paramLabel = "DIR",
      description = "The node's container state root (default: the node agent's, /run/tugboat/runtime).")
  Path runtimeRoot;

  @Option(names = "--node-monitor-grace-period", paramLabel = "DURATION", defaultValue = "40s",
      description = "How long a node may go unheard before its Ready condition becomes Unknown "
          + "(kube-controller-manager's flag; default: ${DEFAULT-VALUE}).")
  String nodeMonitorGracePeriod;

  /** bin/tug, which starts the node agent; from -Dtug.home, which bin/tug sets. */
  Path tug = System.getProperty("tug.home") == null ? null : Path.of(System.getProperty("tug.home"), "bin", "tug");

  @Override
  public Integer call() throws Exception {
    PrintStream err = System.err;
    String node = nodeName != null ? nodeName : InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
    if (!node.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")) {
      err.println("tug up: --node-name " + node + ": must be a DNS subdomain (lower case letters, digits, '-' and '.')"
          + (nodeName == null ? "; the host name is not one, so give --node-name" : ""));
      return 2;
    }
    Duration grace = goDuration(nodeMonitorGracePeriod);
    if (grace == null || grace.isZero()) {
      err.println("tug up: --node-monitor-grace-period " + nodeMonitorGracePeriod
          + ": want a positive duration such as 40s, 2m or 500ms");
      return 2;
    }
    if (tug == null || !Files.isExecutable(tug)) {
      err.println("tug up: cannot find bin/tug to start the node agent with (" + tug + "); run tug up through bin/tug");
      return 1;
    }
    AllInOneCluster cluster;
    try {
      cluster = AllInOneCluster.start(server, InetAddress.getByName(bindAddress), new AllInOneCluster.NodeOptions(
          tug, node, kubeletPort, imageStore, runtimeRoot, grace));
    } catch (IllegalArgumentException | IllegalStateException | java.io.IOException e) {
      err.println("tug up: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      cluster.close();
      stopped.countDown();
    }, "tug-shutdown"));
    PrintStream out = System.out;
    ControlPlane.printUsage(out, cluster.plane().apiServer());
    out.println("Node " + node + " is Ready (node agent log: " + cluster.agentLog() + "). It runs pods from images "
        + "imported with:");
    out.println("  bin/tug image" + (imageStore == null ? "" : " --root " + imageStore)
        + " import IMAGE.tar --name NAME:TAG");
    out.println("  kubectl run box --image=NAME:TAG -- sleep 3600");
    out.flush();
    stopped.await();
    return 0;
  }

  /** Go's time.ParseDuration for the forms kube flags are given in (40s, 5m, 1h, 500ms, 1m30s); null if not one. */
  static Duration goDuration(String text) {
    if (text == null || text.isEmpty()) return null;
    Matcher m = GO_DURATION.matcher(text);
    Duration total = Duration.ZERO;
    int at = 0;
    while (m.find()) {
      if (m.start() != at) return null;
      long n = Long.parseLong(m.group(1));
      total = total.plus(switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      });
      at = m.end();
    }
    return at == text.length() ? total : null;
  }
}
