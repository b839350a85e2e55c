package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.Membership;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.log.SnapshotFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.ExecutorService;

/**
 * A store member whose MVCC state machine is replicated by Raft and made durable by the Chronicle log: what
 * {@code tug store} runs. {@link #store()} is the in-process API (the API server's), {@link #membership()} what the
 * etcd Cluster service shows.
 */
public final class ReplicatedStore implements AutoCloseable {
  private final MvccKeyValueStore store;
  private final RaftNode node;
  private final ClusterMembership membership;

  private ReplicatedStore(MvccKeyValueStore store, RaftNode node, ClusterMembership membership) {
    this.store = store;
    this.node = node;
    this.membership = membership;
  }

  /**
   * Starts the member: checks the data dir belongs to this cluster, replays snapshot and log into the state
   * machine, joins its peers.
   */
  public static ReplicatedStore start(ReplicatedStoreConfig config) {
    RaftNodeConfig nodeConfig = config.raftNodeConfig();
    MemberIdentity stored = MemberIdentity.read(config.memberDir());
    if (!config.join()) {
      new MemberIdentity(config.clusterId(), config.memberId(), config.name()).claim(config.memberDir());
    } else if (stored != null) {
      if (stored.memberId() != config.memberId()) {
        throw new IllegalStateException("data dir " + config.dataDir() + ": belongs to member "
            + Long.toHexString(stored.memberId()) + " (" + stored.name() + "), not to member "
            + Long.toHexString(config.memberId()) + " (" + config.name() + ") that --initial-cluster, "
            + "--initial-cluster-token and --name describe");
      }
      nodeConfig = nodeConfig.withClusterId(stored.clusterId());
    }
    FileChannel lock = lock(config.memberDir());
    ExecutorService watchExecutor = MvccKeyValueStore.newWatchExecutor();
    StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
    RaftNode node;
    try {
      node = RaftNode.start(nodeConfig, replicated(stateMachine));
    } catch (RuntimeException e) {
      watchExecutor.shutdownNow();
      closeQuietly(lock);
      throw e;
    }
    MvccKeyValueStore store = new MvccKeyValueStore(stateMachine, new RaftProposer(node),
        MvccKeyValueStore.DEFAULT_PROGRESS_INTERVAL, watchExecutor::shutdownNow, lock);
    if (config.join() && stored == null) {
      node.clusterIdLearned().thenAccept(clusterId ->
          new MemberIdentity(clusterId, config.memberId(), config.name()).claim(config.memberDir()));
    }
    ClusterMembership membership = new ClusterMembership(config, node);
    membership.publish();
    return new ReplicatedStore(store, node, membership);
  }

  /**
   * A lone member in {@code dataDir} without peers: the embedded store of {@code tug server}, on the same Raft path
   * (log, snapshots, apply) as a cluster's members.
   */
  public static MvccKeyValueStore single(Path dataDir) {
    return single(dataDir, 100_000);
  }

  /** {@link #single(Path)}, with a snapshot (and log compaction) every {@code snapshotEntries} applied entries. */
  public static MvccKeyValueStore single(Path dataDir, long snapshotEntries) {
    refuseEmbeddedFormat(dataDir);
    ReplicatedStoreConfig config = new ReplicatedStoreConfig("default", dataDir,
        java.util.Map.of("default", java.util.List.of("http://127.0.0.1:2380")), "tugboat-embedded",
        java.util.List.of(), java.util.List.of(), java.util.List.of(), java.time.Duration.ofMillis(100),
        java.time.Duration.ofSeconds(1), snapshotEntries);
    new MemberIdentity(config.clusterId(), config.memberId(), config.name()).claim(config.memberDir());
    FileChannel lock = lock(config.memberDir());
    ExecutorService watchExecutor = MvccKeyValueStore.newWatchExecutor();
    StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
    RaftNode node;
    try {
      RaftNodeConfig nodeConfig = config.raftNodeConfig();
      node = RaftNode.start(new RaftNodeConfig(nodeConfig.memberId(), nodeConfig.clusterId(), nodeConfig.dataDir(),
          nodeConfig.members(), null, nodeConfig.tick(), nodeConfig.electionTicks(), nodeConfig.heartbeatTicks(),
          nodeConfig.snapshotEntries(), nodeConfig.requestTimeout(), nodeConfig.initialMembers(), false),
          replicated(stateMachine));
    } catch (RuntimeException e) {
      watchExecutor.shutdownNow();
      closeQuietly(lock);
      throw e;
    }
    return new MvccKeyValueStore(stateMachine, new RaftProposer(node), MvccKeyValueStore.DEFAULT_PROGRESS_INTERVAL,
        watchExecutor::shutdownNow, lock);
  }

  /** The stand-in single-member store of earlier versions kept commands.log and snapshot files: not read here. */
  private static void refuseEmbeddedFormat(Path dataDir) {
    if (java.nio.file.Files.exists(dataDir.resolve("commands.log"))) {
      throw new StoreException(StoreException.Code.INVALID_ARGUMENT, "data dir " + dataDir + " holds a store in "
          + "the format of an earlier Tugboat (commands.log), which this version does not read; move it away to "
          + "start with an empty store");
    }
  }

  /** Completes when this member was removed from its cluster and stopped. */
  public java.util.concurrent.CompletableFuture<Void> removed() {
    return node.removed();
  }

  /** One process per data dir: two members writing one log would corrupt it. */
  private static FileChannel lock(Path memberDir) {
    Path file = memberDir.resolve("lock");
    FileChannel channel = null;
    try {
      java.nio.file.Files.createDirectories(memberDir); // a joining member records its identity only later
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock held;
      try {
        held = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        held = null;
      }
      if (held == null) {
        throw new StoreException(StoreException.Code.INVALID_ARGUMENT, "data dir " + memberDir.getParent()
            + " is in use by another member (" + file + " is locked)");
      }
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UncheckedIOException("data dir " + memberDir.getParent() + ": lock " + file + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // releasing the lock of a store that failed to start
      }
    }
  }

  static ReplicatedStateMachine replicated(StoreStateMachine machine) {
    return new ReplicatedStateMachine() {
      @Override
      public Object apply(long index, byte[] data, int offset, int length) {
        return machine.apply(index, data, offset, length);
      }

      @Override
      public long appliedIndex() {
        return machine.appliedIndex();
      }

      @Override
      public void writeSnapshot(OutputStream out) throws IOException {
        machine.writeSnapshot(out);
      }

      @Override
      public SnapshotFiles.DataWriter captureSnapshot() {
        return machine.captureSnapshot()::writeTo;
      }

      @Override
      public void restoreSnapshot(InputStream in) throws IOException {
        machine.restoreSnapshot(in);
      }
    };
  }

  public MvccKeyValueStore store() {
    return store;
  }

  public Membership membership() {
    return membership;
  }

  public RaftNode node() {
    return node;
  }

  /** Closes the store: the Raft node stops (failing what waits with STOPPED), the log closes, the lock goes. */
  @Override
  public void close() {
    membership.close();
    store.close();
  }
}
