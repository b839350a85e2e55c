package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.Membership;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.io.IOException;
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
    ExecutorService watchExecutor = MvccKeyValueStore.newWatchExecutor();
    StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
    RaftNode node;
    try {
      node = RaftNode.start(config.raftNodeConfig(), replicated(stateMachine));
    } catch (RuntimeException e) {
      watchExecutor.shutdownNow();
      throw e;
    }
    MvccKeyValueStore store = new MvccKeyValueStore(stateMachine, new RaftProposer(node),
        MvccKeyValueStore.DEFAULT_PROGRESS_INTERVAL, watchExecutor::shutdownNow);
    return new ReplicatedStore(store, node, new ClusterMembership(config, node));
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

  /** Closes the store, which stops the Raft node (failing what waits with STOPPED) and closes the log. */
  @Override
  public void close() {
    store.close();
  }
}
