package dev.tugboat.control.cli;

import dev.tugboat.control.store.etcd.EtcdGrpcServer;
import dev.tugboat.control.store.etcd.EtcdHttpEndpoints;
import dev.tugboat.control.store.etcd.EtcdMetricsServer;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.replication.ReplicatedStore;
import dev.tugboat.control.store.replication.ReplicatedStoreConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tug store}: the store alone, serving the etcd v3 API to etcdctl and other etcd clients, with etcd's flag
 * names. Every flag is checked as etcd checks it. Every member is a Raft member ({@link ReplicatedStore}), a lone
 * one included, so that {@code etcdctl member add} grows any cluster; {@code --initial-cluster-state existing} joins
 * one after {@code member add}.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "Run the cluster store as an etcd v3 API server (etcd's flags; replicated when --initial-cluster "
        + "names several members).", subcommands = StoreSnapshotCommand.class)
public final class StoreCommand implements Callable<Integer> {

  private static final Pattern MEMBER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  @Spec
  CommandSpec spec;

  @Option(names = "--name", defaultValue = "default", description = "Human-readable name of this member.")
  String name;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Directory of the store's data (default: NAME.etcd).")
  Path dataDir;

  @Option(names = "--listen-client-urls", defaultValue = "http://localhost:2379", paramLabel = "URLS",
      description = "Comma-separated URLs to serve clients on (default: ${DEFAULT-VALUE}).")
  String listenClientUrls;

  @Option(names = "--listen-metrics-urls", defaultValue = "", paramLabel = "URLS",
      description = "Comma-separated URLs to serve /metrics and /health on, besides the client URLs (default: none).")
  String listenMetricsUrls;

  @Option(names = "--advertise-client-urls", defaultValue = "http://localhost:2379", paramLabel = "URLS",
      description = "Comma-separated client URLs this member tells the cluster about (default: ${DEFAULT-VALUE}).")
  String advertiseClientUrls;

  @Option(names = "--listen-peer-urls", defaultValue = "http://localhost:2380", paramLabel = "URLS",
      description = "Comma-separated URLs to serve peers on (default: ${DEFAULT-VALUE}).")
  String listenPeerUrls;

  @Option(names = "--initial-advertise-peer-urls", defaultValue = "http://localhost:2380", paramLabel = "URLS",
      description = "Comma-separated peer URLs of this member (default: ${DEFAULT-VALUE}).")
  String initialAdvertisePeerUrls;

  @Option(names = "--initial-cluster", paramLabel = "NAME=URL,...",
      description = "Every member of the starting cluster (default: NAME=the initial advertise peer URLs).")
  String initialCluster;

  @Option(names = "--initial-cluster-state", defaultValue = "new", paramLabel = "new|existing",
      description = "new to start a cluster, existing to join one (default: ${DEFAULT-VALUE}).")
  String initialClusterState;

  @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster", paramLabel = "TOKEN",
      description = "Token that tells this cluster apart from others (default: ${DEFAULT-VALUE}).")
  String initialClusterToken;

  @Option(names = "--heartbeat-interval", defaultValue = "100", paramLabel = "MS",
      description = "Milliseconds between leader heartbeats (default: ${DEFAULT-VALUE}).")
  long heartbeatIntervalMillis;

  @Option(names = "--election-timeout", defaultValue = "1000", paramLabel = "MS",
      description = "Milliseconds a follower waits for the leader before campaigning (default: ${DEFAULT-VALUE}).")
  long electionTimeoutMillis;

  @Option(names = "--snapshot-count", defaultValue = "100000", paramLabel = "N",
      description = "Applied entries between two snapshots of a replicated member (default: ${DEFAULT-VALUE}).")
  long snapshotCount;

  /** The flags, checked. */
  record StoreMember(String name, Path dataDir, List<InetSocketAddress> listenClientAddresses,
                     List<String> advertiseClientUrls, List<String> advertisePeerUrls,
                     Map<String, List<String>> initialCluster, String clusterState, String clusterToken,
                     List<String> listenPeerUrls, Duration heartbeatInterval, Duration electionTimeout,
                     long snapshotCount, List<InetSocketAddress> listenMetricsAddresses) {

    /** The replicated member these flags describe (several members in --initial-cluster). */
    ReplicatedStoreConfig replicated() {
      return new ReplicatedStoreConfig(name, dataDir, initialCluster, clusterToken, listenPeerUrls,
          listenClientAddresses.stream().map(a -> "http://" + a.getHostString() + ":" + a.getPort()).toList(),
          advertiseClientUrls, heartbeatInterval, electionTimeout, snapshotCount, clusterState.equals("existing"));
    }
  }

  /**
   * A running store, its etcd API server and its metrics listeners (null without --listen-metrics-urls); closing stops
   * them all (once, whoever closes first).
   */
  public record RunningStore(MvccKeyValueStore store, EtcdGrpcServer server, EtcdMetricsServer metrics,
                             ReplicatedStore member, java.util.concurrent.atomic.AtomicBoolean closed)
      implements AutoCloseable {
    public RunningStore(ReplicatedStore member, EtcdGrpcServer server, EtcdMetricsServer metrics) {
      this(member.store(), server, metrics, member, new java.util.concurrent.atomic.AtomicBoolean());
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        if (metrics != null) {
          metrics.close();
        }
        server.close();
        member.close();
      }
    }
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new StoreCommand()).execute(args));
  }

  @Override
  public Integer call() throws InterruptedException {
    StoreMember member = validated();
    RunningStore running;
    try {
      running = start(member);
    } catch (RuntimeException e) {
      spec.commandLine().getErr().println("tug store: " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      running.close();
      stopped.countDown();
    }, "tug-store-shutdown"));
    running.member().removed().thenRun(() -> {
      spec.commandLine().getErr().println("tug store: member " + member.name() + " ("
          + Long.toHexString(running.member().node().id()) + ") was removed from the cluster; it stops");
      spec.commandLine().getErr().flush();
      running.close();
      stopped.countDown();
    });
    java.util.concurrent.atomic.AtomicInteger exitCode = new java.util.concurrent.atomic.AtomicInteger();
    running.member().node().refusedByEveryPeer().thenAccept(reason -> {
      spec.commandLine().getErr().println("tug store: member " + member.name() + ": " + reason);
      spec.commandLine().getErr().flush();
      exitCode.set(1);
      running.close();
      stopped.countDown();
    });
    List<String> urls = running.server().addresses().stream()
        .map(a -> "http://" + a.getAddress().getHostAddress() + ":" + a.getPort()).toList();
    spec.commandLine().getOut().println("tug store: member " + member.name() + " (data dir " + member.dataDir()
        + ") serving the etcd v3 API on " + String.join(", ", urls));
    if (running.metrics() != null) {
      spec.commandLine().getOut().println("tug store: /metrics and /health on " + String.join(", ",
          running.metrics().addresses().stream()
              .map(a -> "http://" + a.getAddress().getHostAddress() + ":" + a.getPort()).toList()));
    }
    spec.commandLine().getOut().flush();
    stopped.await();
    return exitCode.get();
  }

  /** Opens the member in the data dir (Raft over the Chronicle log) and serves it; the caller closes it. */
  static RunningStore start(StoreMember member) {
    ReplicatedStore replicated = ReplicatedStore.start(member.replicated());
    EtcdMetricsServer metrics = null;
    try {
      if (!member.listenMetricsAddresses().isEmpty()) {
        metrics = EtcdMetricsServer.start(new EtcdHttpEndpoints(replicated.store(), replicated.membership()),
            member.listenMetricsAddresses());
      }
      return new RunningStore(replicated,
          EtcdGrpcServer.start(replicated.store(), replicated.membership(), member.listenClientAddresses(),
              replicated.node().eventLoop()), metrics);
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      replicated.close();
      throw e;
    }
  }

  /** Checks every flag as etcd does; a bad one fails naming the flag. */
  StoreMember validated() {
    if (!MEMBER_NAME.matcher(name).matches()) {
      throw bad("--name", "'" + name + "' must be letters, digits, '.', '_' or '-'");
    }
    List<InetSocketAddress> listenClient = listenAddresses("--listen-client-urls", listenClientUrls);
    // unset (null) when another command fills these flags in itself, as snapshot restore does
    List<InetSocketAddress> listenMetrics = listenMetricsUrls == null || listenMetricsUrls.isBlank()
        ? List.of() : listenAddresses("--listen-metrics-urls", listenMetricsUrls);
    List<String> advertiseClient = urls("--advertise-client-urls", advertiseClientUrls);
    List<InetSocketAddress> listenPeer = listenAddresses("--listen-peer-urls", listenPeerUrls);
    List<String> advertisePeer = urls("--initial-advertise-peer-urls", initialAdvertisePeerUrls);
    Map<String, List<String>> cluster = initialCluster == null
        ? Map.of(name, advertisePeer) : members("--initial-cluster", initialCluster);
    List<String> ownPeers = cluster.get(name);
    if (ownPeers == null) {
      throw bad("--initial-cluster", "'" + initialCluster + "' has no member named '" + name + "' (--name)");
    }
    if (!new HashSet<>(ownPeers).equals(new HashSet<>(advertisePeer))) {
      throw bad("--initial-cluster", "member '" + name + "' has " + ownPeers
          + " but --initial-advertise-peer-urls is " + advertisePeer);
    }
    if (!initialClusterState.equals("new") && !initialClusterState.equals("existing")) {
      throw bad("--initial-cluster-state", "'" + initialClusterState + "' must be new or existing");
    }
    if (initialClusterToken.isBlank()) {
      throw bad("--initial-cluster-token", "must not be empty");
    }
    if (heartbeatIntervalMillis <= 0) {
      throw bad("--heartbeat-interval", "must be positive, was " + heartbeatIntervalMillis);
    }
    if (electionTimeoutMillis < 2 * heartbeatIntervalMillis) {
      throw bad("--election-timeout", "must be at least twice --heartbeat-interval (" + heartbeatIntervalMillis
          + " ms), was " + electionTimeoutMillis);
    }
    if (snapshotCount <= 0) {
      throw bad("--snapshot-count", "must be positive, was " + snapshotCount);
    }
    Path dir = dataDir != null ? dataDir : Path.of(name + ".etcd");
    List<String> listenPeerUrlList = listenPeer.stream()
        .map(a -> "http://" + a.getHostString() + ":" + a.getPort()).toList();
    return new StoreMember(name, dir, listenClient, advertiseClient, advertisePeer, cluster, initialClusterState,
        initialClusterToken, listenPeerUrlList, Duration.ofMillis(heartbeatIntervalMillis),
        Duration.ofMillis(electionTimeoutMillis), snapshotCount, listenMetrics);
  }

  private List<String> urls(String flag, String value) {
    List<String> urls = new ArrayList<>();
    for (String text : value.split(",", -1)) {
      uri(flag, text.strip());
      urls.add(text.strip());
    }
    return urls;
  }

  private URI uri(String flag, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw bad(flag, "'" + text + "' is not a URL: " + e.getReason());
    }
    if ("https".equals(uri.getScheme())) {
      throw bad(flag, text + ": TLS is not supported yet, use http");
    }
    if (!"http".equals(uri.getScheme())) {
      throw bad(flag, text + ": the scheme must be http");
    }
    if (uri.getHost() == null || uri.getPort() < 0) {
      throw bad(flag, text + ": needs a host and a port (http://HOST:PORT)");
    }
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/")) {
      throw bad(flag, text + ": must not have a path");
    }
    return uri;
  }

  /** etcd listens on IP addresses only (and localhost); port 0 picks a free port. */
  private List<InetSocketAddress> listenAddresses(String flag, String value) {
    List<InetSocketAddress> addresses = new ArrayList<>();
    for (String text : urls(flag, value)) {
      URI uri = uri(flag, text);
      String host = uri.getHost();
      boolean ip = host.matches("[0-9.]+") || host.startsWith("[");
      if (!ip && !host.equals("localhost")) {
        throw bad(flag, text + ": listen URLs need an IP address (or localhost), not the name '" + host + "'");
      }
      addresses.add(new InetSocketAddress(host.equals("localhost") ? "127.0.0.1" : host.replaceAll("[\\[\\]]", ""),
          uri.getPort()));
    }
    return addresses;
  }

  private Map<String, List<String>> members(String flag, String value) {
    Map<String, List<String>> members = new LinkedHashMap<>();
    for (String entry : value.split(",", -1)) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw bad(flag, "'" + entry + "' must be NAME=URL");
      }
      String member = entry.substring(0, eq).strip();
      String url = entry.substring(eq + 1).strip();
      uri(flag, url);
      members.computeIfAbsent(member, k -> new ArrayList<>()).add(url);
    }
    return members;
  }

  private ParameterException bad(String flag, String message) {
    return new ParameterException(spec.commandLine(), flag + ": " + message);
  }
}
