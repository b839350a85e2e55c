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
  private final Membership membership;

  private ReplicatedStore(MvccKeyValueStore store, RaftNode node, Membership membership) {
    this.store = store;
    this.node = node;
    this.membership = membership;
  }

  /**
   * Starts the member: checks the data dir belongs to this cluster, replays snapshot and log into the state
   * machine, joins its peers.
   */
  public static ReplicatedStore start(ReplicatedStoreConfig config) {
    new MemberIdentity(config.clusterId(), config.memberId(), config.name()).claim(config.memberDir());
    FileChannel lock = lock(config.memberDir());
    ExecutorService watchExecutor = MvccKeyValueStore.newWatchExecutor();
    StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
    RaftNode node;
    try {
      node = RaftNode.start(config.raftNodeConfig(), replicated(stateMachine));
    } catch (RuntimeException e) {
      watchExecutor.shutdownNow();
      closeQuietly(lock);
      throw e;
    }
    MvccKeyValueStore store = new MvccKeyValueStore(stateMachine, new RaftProposer(node),
        MvccKeyValueStore.DEFAULT_PROGRESS_INTERVAL, watchExecutor::shutdownNow, lock);
    return new ReplicatedStore(store, node, new ClusterMembership(config, node));
  }

  /** One process per data dir: two members writing one log would corrupt it. */
  private static FileChannel lock(Path memberDir) {
    Path file = memberDir.resolve("lock");
    FileChannel channel = null;
    try {
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
      public Object apply(long index, byte[] command) {
        return machine.apply(index, command);
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
    store.close();
  }
}
