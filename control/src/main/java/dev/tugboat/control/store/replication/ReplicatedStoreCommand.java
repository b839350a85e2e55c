package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.EtcdGrpcServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tug store}: one member of a replicated etcd-compatible store, configured with etcd's own flag names so that
 * an etcd command line carries over. Runs until SIGTERM or SIGINT.
 */
@Command(name = "store", mixinStandardHelpOptions = true,
    description = "Run one member of the replicated store (etcd v3 API, Raft, Chronicle log).")
public final class ReplicatedStoreCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicatedStoreCommand.class);

  @Option(names = "--name", defaultValue = "default", description = "This member's name in --initial-cluster.")
  String name;

  @Option(names = "--data-dir", description = "Where the log and snapshots live (default: <name>.tug).")
  Path dataDir;

  @Option(names = "--initial-cluster", description = "Every member as name=peerURL, comma separated "
      + "(default: <name>=http://localhost:2380).")
  String initialCluster;

  @Option(names = "--initial-cluster-token", defaultValue = "etcd-cluster",
      description = "Tells clusters apart; part of the member and cluster ids.")
  String clusterToken;

  @Option(names = "--initial-cluster-state", defaultValue = "new",
      description = "new or existing (a member restarts from its data dir either way).")
  String clusterState;

  @Option(names = "--listen-peer-urls", split = ",", description = "Where to accept peers (default: own peer URL).")
  List<String> listenPeerUrls = new ArrayList<>();

  @Option(names = "--initial-advertise-peer-urls", split = ",", description = "Accepted for etcd compatibility; "
      + "the peer URLs in --initial-cluster are what peers dial.")
  List<String> advertisePeerUrls = new ArrayList<>();

  @Option(names = "--listen-client-urls", split = ",", defaultValue = "http://localhost:2379",
      description = "Where to serve the etcd v3 gRPC API.")
  List<String> listenClientUrls;

  @Option(names = "--advertise-client-urls", split = ",", description = "Client URLs to report (default: listen).")
  List<String> advertiseClientUrls = new ArrayList<>();

  @Option(names = "--heartbeat-interval", defaultValue = "100", description = "Milliseconds between heartbeats.")
  long heartbeatMillis;

  @Option(names = "--election-timeout", defaultValue = "1000", description = "Milliseconds before an election.")
  long electionMillis;

  @Option(names = "--snapshot-count", defaultValue = "100000", description = "Applied entries between snapshots.")
  long snapshotCount;

  /** Builds the member's configuration from the flags; errors name the flag. */
  ReplicatedStoreConfig config() {
    if (!clusterState.equals("new") && !clusterState.equals("existing")) {
      throw new IllegalArgumentException("--initial-cluster-state: must be new or existing, was " + clusterState);
    }
    String cluster = initialCluster != null ? initialCluster : name + "=http://localhost:2380";
    Path dir = dataDir != null ? dataDir : Path.of(name + ".tug");
    List<String> advertise = advertiseClientUrls.isEmpty() ? listenClientUrls : advertiseClientUrls;
    return new ReplicatedStoreConfig(name, dir, ReplicatedStoreConfig.parseInitialCluster(cluster), clusterToken,
        listenPeerUrls, listenClientUrls, advertise, Duration.ofMillis(heartbeatMillis),
        Duration.ofMillis(electionMillis), snapshotCount);
  }

  @Override
  public Integer call() throws Exception {
    ReplicatedStoreConfig config = config();
    List<InetSocketAddress> clientAddresses = new ArrayList<>();
    for (String url : config.listenClientUrls()) {
      clientAddresses.add(ReplicatedStoreConfig.socketAddress("--listen-client-urls", url));
    }
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    try (ReplicatedStore store = ReplicatedStore.start(config);
         EtcdGrpcServer server = EtcdGrpcServer.start(store.store(), store.membership(), clientAddresses)) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop.countDown();
        try {
          closed.await(15, TimeUnit.SECONDS); // the JVM halts when hooks return: let main close the log first
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }, "tug-store-shutdown"));
      LOG.info("store member {} ({}) of cluster {} serving clients on {}", config.name(),
          Long.toHexString(config.memberId()), Long.toHexString(config.clusterId()), server.addresses());
      stop.await();
    } finally {
      closed.countDown();
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ReplicatedStoreCommand()).execute(args));
  }
}
