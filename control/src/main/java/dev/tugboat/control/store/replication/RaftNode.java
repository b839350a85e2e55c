package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.log.LogStorage;
import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.ConfChange;
import dev.tugboat.control.store.raft.ConfChangeType;
import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.HardState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.EntryType;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.ProposalDroppedException;
import dev.tugboat.control.store.raft.RaftConfig;
import dev.tugboat.control.store.raft.RaftCore;
import dev.tugboat.control.store.raft.ReadState;
import dev.tugboat.control.store.raft.Ready;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import dev.tugboat.control.store.raft.SnapshotStatus;
import dev.tugboat.control.store.raft.SoftState;
import dev.tugboat.control.store.raft.StateRole;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.collections.Long2ObjectHashMap;
import org.jctools.queues.MpscUnboundedArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one member: a single thread owns the Raft core, the durable log and the state machine, in a duty cycle
 * that ticks the clock, feeds the core what arrived (peer messages, proposals, read requests) and carries out each
 * {@link Ready} in the order it demands: persist entries and hard state with one fsync (group commit: everything
 * proposed since the last fsync rides on the next), then send, then apply, then serve reads.
 *
 * <p>That thread is the event loop of the member's peer connections, too: a peer's message is read, decoded and
 * stepped by the thread that acts on it. With a loop of their own, every message on a put's path (a follower's
 * forward, the leader's append, each answer, the commit that follows) woke two threads, the loop and then the Raft
 * thread, each waiting for one of 2 cores on a busy machine. Other threads talk to it only through one MPSC queue,
 * and queue a cycle on the loop when none is queued. {@link #propose} and {@link #readBarrier} are its client API
 * (what the store's {@code Proposer} needs).
 *
 * <p>Each proposal travels in its entry as {@code [proposing member id][request id][command]}, so that the member
 * that proposed it (leader or follower) completes its future when it applies the entry.
 *
 * <p>Membership changes travel as configuration change entries whose context is a {@link MemberList.Change} (with
 * the same proposer and request ids): applying one changes the Raft configuration (in the core), the replicated
 * {@link MemberList} and the transport's peers alike. A new cluster's log starts with one such entry per initial
 * member, so a member that joins later rebuilds the whole list from the log. Snapshots carry the member list in
 * front of the state machine's data.
 */
public final class RaftNode implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);
  /** In front of each proposal's command in its entry: the proposing member's id and its request id. */
  static final int PROPOSAL_HEADER = 16;
  /**
   * Bounds on the proposals given to the core at once. A batch travels whole in one message when a follower forwards
   * it, and the leader's APPENDs carry at most RaftConfig.maxSizePerMessage (1 MiB) of entries anyway.
   */
  private static final int MAX_PROPOSAL_BATCH = 512;
  private static final long MAX_PROPOSAL_BATCH_BYTES = 1 << 20;
  /**
   * The snapshot writer's nice value. Serialising a million keys takes ~4 s of CPU in each member, all three at the
   * same index, on the cores the writes wait for: at the normal priority it ran right through the sequential puts
   * that follow check perf. At nice 10 it takes what the request threads leave, and yields as soon as they wake.
   */
  private static final int SNAPSHOT_WRITER_NICE = 10;

  private record Proposal(long id, byte[] data, CompletableFuture<Object> future, long deadline) {}

  private record ReadBarrier(CompletableFuture<Void> future, long deadline) {}

  private record Unreachable(long peer) {}

  private record ReadBatch(List<ReadBarrier> barriers) {}

  /** The snapshot writer finished a file (or failed: {@code file} null). */
  private record SnapshotWritten(SnapshotMetadata metadata, java.nio.file.Path file, long startNanos,
                                 Throwable failure) {}

  private record MembershipProposal(MemberList.Change change, CompletableFuture<Object> future, long deadline) {}

  /** A peer said this member was removed from the cluster. */
  private record RemovedByPeer() {}

  /** A SNAPSHOT message from the leader with its file, received whole and checked (see {@link IncomingSnapshot}). */
  private record ReceivedSnapshot(Message message, SnapshotFiles.Stored file) {}

  /** How streaming a snapshot to a follower ended. */
  private record SnapshotReport(long peer, SnapshotStatus status) {}
  /** Something to capture between two applies, given the applied index (etcd's Maintenance.Snapshot). */
  private record CaptureAtApplied(java.util.function.LongFunction<Object> capture, CompletableFuture<Object> future) {}

  /** Marks snapshot data that starts with the member list ("TGML"). */
  private static final int MEMBERS_MAGIC = 0x54474d4c;
  /** etcd promotes a learner only once its log holds 90% of the leader's. */
  private static final double LEARNER_READY_FRACTION = 0.9;

  private final RaftNodeConfig config;
  private final long id;
  private final ReplicatedStateMachine stateMachine;
  private final LogStorage storage;
  private final RaftCore core;
  private final PeerTransport transport;
  private final MpscUnboundedArrayQueue<Object> inbox = new MpscUnboundedArrayQueue<>(1024);
  /** The Raft thread: an event loop that also reads the peer connections (see the class comment). */
  private final EventLoopGroup loopGroup;
  private final EventLoop loop;
  /** A duty cycle is queued on the loop (set by whoever queues it, cleared by the cycle as it starts). */
  private final AtomicBoolean cycleQueued = new AtomicBoolean();
  private final Runnable queuedCycle = () -> {
    cycleQueued.getAndSet(false); // a read-modify-write: everything offered before the flag was set is seen below
    cycle();
  };
  /** Writes snapshot files, so that serialising the whole state never holds up the Raft thread. */
  private final ExecutorService snapshotWriter;
  private final long tickNanos;
  private final long timeoutNanos;

  // owned by the Raft thread
  private final Long2ObjectHashMap<Proposal> pending = new Long2ObjectHashMap<>();
  /** Proposals drained from the inbox and not yet given to the core (see {@link #batchProposal}). */
  private final List<byte[]> batchedData = new ArrayList<>();
  private final List<Proposal> batchedProposals = new ArrayList<>();
  private long batchedBytes;
  private final ArrayDeque<Proposal> proposalDeadlines = new ArrayDeque<>();
  private final List<ReadBarrier> unsentReads = new ArrayList<>();
  private final Long2ObjectHashMap<ReadBatch> sentReads = new Long2ObjectHashMap<>();
  private final ArrayDeque<ReadBarrier> readDeadlines = new ArrayDeque<>();
  private final TreeMap<Long, List<ReadBarrier>> readsAwaitingApply = new TreeMap<>();
  private long nextRequestId;
  private long nextReadId;
  private long appliedIndex;
  private boolean snapshotInProgress;
  /**
   * The leader's snapshot received last, stepped into the core and not (yet) installed; deleted when the core turns
   * it down (it already had what the snapshot covers) or a newer one arrives.
   */
  private SnapshotFiles.Stored receivedSnapshot;
  /** After a failed snapshot, the applied index at which the next attempt is made. */
  private long snapshotRetryIndex;

  private volatile boolean running = true;
  /** The log is replayed and the clock runs (Raft thread). */
  private boolean startedUp;
  /** The duty cycle has ended, cleanly or not (Raft thread). */
  private boolean ended;
  private long nextTick;
  private volatile long leader;
  private volatile StateRole role = StateRole.FOLLOWER;
  private volatile long term;
  private volatile long committed;
  /** The newest hard state the core handed out (Raft thread); the log holds it as of the last Ready that synced. */
  private HardState latestHardState;
  private volatile long applied;
  /** The newest snapshot written (and the log compacted to) while running. */
  private volatile long snapshotIndex;
  /** The replicated member list; written by the Raft thread only. */
  private volatile MemberList memberList = MemberList.EMPTY;
  private final CompletableFuture<Void> removed = new CompletableFuture<>();
  /** Peers (by address) that refused this member as one of another cluster. */
  private final java.util.Set<String> refusedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Whether any peer's message reached this member: then it is not the member of another cluster. */
  private volatile boolean heardFromPeer;
  private final CompletableFuture<String> refusedByEveryPeer = new CompletableFuture<>();
  private final CompletableFuture<Long> clusterIdLearned = new CompletableFuture<>();
  private boolean wasRemoved;
  /** Membership changes the leader holds back until the configuration change before them is applied. */
  private final List<MembershipProposal> membershipWaiting = new ArrayList<>();
  /** Completes when what the log held at start is applied. */
  private final CompletableFuture<Void> replayed = new CompletableFuture<>();

  private RaftNode(RaftNodeConfig config, ReplicatedStateMachine stateMachine) {
    this.config = config;
    this.id = config.memberId();
    this.stateMachine = stateMachine;
    this.tickNanos = config.tick().toNanos();
    this.timeoutNanos = config.requestTimeout().toNanos();
    // the configuration lives in the log from its first entries on (see bootstrapLog): nothing to bootstrap here
    this.storage = LogStorage.open(config.dataDir(), ConfState.EMPTY);
    String name = "raft-" + Long.toHexString(id);
    this.loopGroup = PeerTransport.newEventLoop(r -> new FastThreadLocalThread(r, name));
    this.loop = loopGroup.next();
    try {
      bootstrapLog();
      long snapshotAt = storage.snapshotMetadata().index();
      if (snapshotAt > 0 && stateMachine.appliedIndex() < snapshotAt) {
        try (InputStream data = storage.openSnapshotData()) {
          restore(data);
        } catch (IOException e) {
          throw new UncheckedIOException("raft member " + Long.toHexString(id) + ": restore snapshot at index "
              + snapshotAt, e);
        }
      }
      this.appliedIndex = Math.max(stateMachine.appliedIndex(), storage.firstIndex() - 1);
      RaftConfig raftConfig = RaftConfig.defaults(id)
          .withElectionTicks(config.electionTicks(), config.heartbeatTicks());
      this.core = new RaftCore(raftConfig, storage, new SplittableRandom(System.nanoTime() ^ id));
      this.term = core.term();
      this.committed = core.committedIndex();
      this.applied = appliedIndex;
      this.nextRequestId = System.nanoTime();
      this.transport = config.isSingleMember() ? null
          : new PeerTransport(config.clusterId(), id, config.listenPeer(), config.members(),
              storage.receivingDirectory(), new PeerInbox(), loopGroup);
      updatePeers(memberList);
    } catch (RuntimeException e) {
      loopGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      storage.close();
      throw e;
    }
    this.snapshotWriter = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(() -> {
        ThreadNiceness.lowerCurrentThread(SNAPSHOT_WRITER_NICE);
        r.run();
      }, "raft-" + Long.toHexString(id) + "-snapshot");
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens the member's durable state, restores the state machine from it and starts the Raft thread. */
  public static RaftNode start(RaftNodeConfig config, ReplicatedStateMachine stateMachine) {
    RaftNode node = new RaftNode(config, stateMachine);
    if (node.transport != null) {
      try {
        node.transport.start();
      } catch (RuntimeException e) {
        node.loopGroup.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly();
        node.storage.close();
        throw e;
      }
    }
    node.loop.execute(node::startUp);
    try {
      // the caller gets a member whose state is what it acknowledged before (as a store that replays on open)
      node.replayed.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      node.close();
      throw new IllegalStateException("raft member " + Long.toHexString(node.id) + ": replaying the log failed",
          e.getCause());
    }
    return node;
  }

  // ---------------------------------------------------------------- client API (any thread)

  /**
   * Proposes {@code command}; completes with the state machine's result once it is committed and applied here,
   * fails with {@link StoreException} NO_LEADER, TIMEOUT or STOPPED if it cannot be.
   */
  public CompletableFuture<Object> propose(byte[] command) {
    byte[] framed = new byte[PROPOSAL_HEADER + command.length];
    System.arraycopy(command, 0, framed, PROPOSAL_HEADER, command.length);
    return proposeFramed(framed);
  }

  /**
   * {@link #propose} of the command that starts at {@link #PROPOSAL_HEADER} in {@code framed}: the Raft thread writes
   * the header into the bytes in front, and the array becomes the entry's data as it is. Encoding a command with
   * that room in front saves copying it once more (a pod's create is about 1.8 KB).
   */
  public CompletableFuture<Object> proposeFramed(byte[] framed) {
    if (framed.length < PROPOSAL_HEADER) {
      throw new IllegalArgumentException("a framed proposal has " + PROPOSAL_HEADER + " bytes in front of its "
          + "command; this one has " + framed.length + " bytes in all");
    }
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(stopped());
      return future;
    }
    enqueue(new Proposal(0, framed, future, System.nanoTime() + timeoutNanos));
    return future;
  }

  /** Completes once this member has applied everything committed before the call (Raft ReadIndex). */
  public CompletableFuture<Void> readBarrier() {
    CompletableFuture<Void> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(stopped());
      return future;
    }
    enqueue(new ReadBarrier(future, System.nanoTime() + timeoutNanos));
    return future;
  }

  /**
   * Runs {@code capture} on the Raft thread between two applies, with the index applied so far, so that what it
   * captures (the state machine's state for a client's snapshot) is all of that one index.
   */
  @SuppressWarnings("unchecked")
  public <T> CompletableFuture<T> captureAtApplied(java.util.function.LongFunction<T> capture) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(stopped());
    } else {
      enqueue(new CaptureAtApplied(capture::apply, future));
    }
    return (CompletableFuture<T>) future.orTimeout(timeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  private void captureAtApplied(CaptureAtApplied request) {
    try {
      request.future().complete(request.capture().apply(appliedIndex));
    } catch (RuntimeException e) {
      request.future().completeExceptionally(e);
    }
  }

  /**
   * Proposes a membership change; completes with the member list after it once it is applied here, or fails with
   * etcd's reason (member not found, peer URLs already exist, not enough started members, ...).
   */
  public CompletableFuture<List<dev.tugboat.control.store.etcd.Membership.Member>> changeMembership(
      MemberList.Change change) {
    CompletableFuture<Object> future = new CompletableFuture<>();
    if (!running) {
      future.completeExceptionally(stopped());
    } else {
      enqueue(new MembershipProposal(change, future, System.nanoTime() + timeoutNanos));
    }
    return future.thenApply(result -> ((MemberList) result).members());
  }

  /** The replicated member list as this member has applied it. */
  public MemberList memberList() {
    return memberList;
  }

  /**
   * Completes, with the reason, when every peer refused this member as one of another cluster before any of them
   * was heard: its --initial-cluster-token (or --initial-cluster) is not theirs. The member keeps running; whoever
   * started it decides (tug store stops).
   */
  public CompletableFuture<String> refusedByEveryPeer() {
    return refusedByEveryPeer;
  }

  /** Completes when this member learns it was removed from the cluster; it has stopped by then. */
  public CompletableFuture<Void> removed() {
    return removed;
  }

  /** Completes when a member that joins an existing cluster learns the cluster's id. */
  public CompletableFuture<Long> clusterIdLearned() {
    return clusterIdLearned;
  }

  public boolean isLeader() {
    return role == StateRole.LEADER;
  }

  /** The cluster's id (0 while a joining member has not learned it). */
  public long clusterId() {
    return transport != null ? transport.clusterId() : config.clusterId();
  }

  public long leader() {
    return leader;
  }

  public long term() {
    return term;
  }

  public long committedIndex() {
    return committed;
  }

  public long appliedIndex() {
    return applied;
  }

  public long id() {
    return id;
  }

  /**
   * The Raft thread's event loop. A server whose requests become proposals may read them on it (see EtcdGrpcServer):
   * a proposal queued from the loop itself wakes nobody, and its answer goes out after the cycle that applied it. It
   * stops when the member closes: close such a server first.
   */
  public EventLoopGroup eventLoop() {
    return loopGroup;
  }

  /** The peer address actually bound (null for a single member). */
  public java.net.InetSocketAddress peerAddress() {
    return transport == null ? null : transport.localAddress();
  }

  private void enqueue(Object item) {
    inbox.offer(item);
    queueCycle();
  }

  /**
   * Queues a duty cycle on the loop unless one is queued already. From the loop itself (a peer's message read there)
   * this wakes nobody: the cycle runs behind the reads of this round.
   */
  private void queueCycle() {
    if (!cycleQueued.getAndSet(true)) {
      try {
        loop.execute(queuedCycle);
      } catch (RejectedExecutionException stopped) {
        // the loop has shut down: close() fails what is left in the inbox
      }
    }
  }

  private final class PeerInbox implements PeerTransport.Receiver {
    @Override
    public void onMessage(Message message) {
      heardFromPeer = true;
      enqueue(message);
    }

    @Override
    public void onSnapshot(Message message, SnapshotFiles.Stored file) {
      heardFromPeer = true;
      enqueue(new ReceivedSnapshot(message, file));
    }

    @Override
    public void onSnapshotReport(long peer, SnapshotStatus status) {
      enqueue(new SnapshotReport(peer, status));
    }

    @Override
    public void onOtherCluster(String address, long theirCluster) {
      LOG.error("raft member {}: the peer at {} belongs to cluster {}, not to cluster {} of this member; "
          + "--initial-cluster and --initial-cluster-token must be those of the other members",
          Long.toHexString(id), address, Long.toHexString(theirCluster), Long.toHexString(config.clusterId()));
      refusedBy.add(address);
      long peers = config.members().keySet().stream().filter(m -> m != id).count();
      if (!heardFromPeer && refusedBy.size() >= peers) {
        // not on the Raft thread, which this runs on: whoever waits for it closes the node, which waits for that thread
        String reason = "every peer (" + String.join(", ", new java.util.TreeSet<>(refusedBy))
            + ") belongs to cluster " + Long.toHexString(theirCluster) + ", not to cluster "
            + Long.toHexString(config.clusterId()) + " that --initial-cluster and --initial-cluster-token describe "
            + "for this member; start it with the other members' --initial-cluster-token";
        CompletableFuture.runAsync(() -> refusedByEveryPeer.complete(reason));
      }
    }

    @Override
    public void onUnreachable(long peer) {
      enqueue(new Unreachable(peer));
    }

    @Override
    public void onClusterId(long clusterId) {
      clusterIdLearned.complete(clusterId);
    }

    @Override
    public void onRemoved() {
      enqueue(new RemovedByPeer());
    }
  }

  // ---------------------------------------------------------------- the duty cycle (Raft thread)

  /** On the loop, first: applies what the log holds, then starts the clock and the duty cycle. */
  private void startUp() {
    LOG.info("raft member {}: starting at term {}, commit {}, log {}..{}, applied {}", Long.toHexString(id),
        core.term(), core.committedIndex(), storage.firstIndex(), storage.lastIndex(), appliedIndex);
    try {
      // apply what the log holds first (a new log's configuration among it), so that a lone member leads at once
      handleReadies();
      campaignIfAlone();
      // A lone member's log may hold entries past the durable commit index (a commit-only Ready writes nothing): its
      // first entry as leader commits them, here, before anyone reads.
      handleReadies();
      advanceFirstElectionClock();
    } catch (Throwable t) {
      fail(t);
      return;
    }
    startedUp = true;
    replayed.complete(null);
    nextTick = System.nanoTime() + tickNanos;
    loop.schedule(this::tick, tickNanos, TimeUnit.NANOSECONDS);
    cycle();
  }

  /** The clock, on the loop: ticks the core, expires what waited too long, and runs a cycle for what that made. */
  private void tick() {
    if (ended) {
      return;
    }
    long now = System.nanoTime();
    try {
      core.tick();
      expireDeadlines(now);
    } catch (Throwable t) {
      fail(t);
      return;
    }
    nextTick += tickNanos;
    if (now - nextTick > tickNanos * 10) {
      nextTick = now + tickNanos; // we were stalled (GC, a huge snapshot): do not fire a burst of ticks
    }
    loop.schedule(this::tick, Math.max(0, nextTick - now), TimeUnit.NANOSECONDS);
    cycle();
  }

  /**
   * One duty cycle, on the loop: feeds the core what arrived (peer messages, proposals, read requests) and carries
   * out its Readies. It runs after the loop's reads of one round, so that what arrived together (two followers'
   * answers) is handled together.
   */
  private void cycle() {
    if (ended) {
      failEverything(stopped()); // what was queued after the end
      return;
    }
    if (!startedUp) {
      return; // startUp runs the first cycle
    }
    if (!running) {
      end(true);
      return;
    }
    try {
      drainInbox();
      retryMembership();
      sendReads();
      handleReadies();
      discardReceivedSnapshot(); // the core stepped it and did not install it
    } catch (Throwable t) {
      fail(t);
      return;
    }
    if (wasRemoved) {
      running = false;
      end(true);
      // not on this thread: whoever waits for it closes the node, which waits for this loop
      CompletableFuture.runAsync(() -> removed.complete(null));
    } else if (!inbox.isEmpty()) {
      queueCycle(); // drainInbox stopped at a received snapshot: the rest after its Ready
    }
  }

  private void fail(Throwable t) {
    LOG.error("raft member {}: the Raft thread failed; the member stops", Long.toHexString(id), t);
    running = false;
    end(false);
  }

  /**
   * Ends the duty cycle for good, once, on the loop: a clean end makes the hard state durable; then whatever still
   * waits fails with STOPPED.
   */
  private void end(boolean clean) {
    if (ended) {
      return;
    }
    ended = true;
    // A clean stop makes the commit index durable too, so that a restart applies all it acknowledged at once (as
    // etcd's WAL holds it after a clean stop); after a crash it may be up to one round of commits behind.
    if (clean && startedUp && latestHardState != null) {
      try {
        storage.saveHardState(latestHardState);
        storage.sync();
      } catch (RuntimeException e) {
        LOG.error("raft member {}: saving the hard state at stop failed", Long.toHexString(id), e);
      }
    }
    replayed.completeExceptionally(stopped());
    failEverything(stopped());
  }

  /** Carries out every Ready the core has, in order. */
  private void handleReadies() {
    while (core.hasReady()) {
      Ready ready = core.ready();
      handle(ready);
      core.advance(ready);
    }
  }

  private void drainInbox() {
    Object item;
    while ((item = inbox.relaxedPoll()) != null) {
      if (item instanceof ReceivedSnapshot r) {
        proposeBatch();
        discardReceivedSnapshot();
        receivedSnapshot = r.file();
        core.step(r.message());
        // the Ready that installs it comes before anything else is stepped: a second snapshot stepped meanwhile
        // would make the first one's file moot while the core may still hand it out
        return;
      }
      if (item instanceof Proposal p) {
        batchProposal(p);
        continue;
      }
      proposeBatch(); // what came before this item is proposed before it is handled, as it arrived
      if (item instanceof Message m) {
        core.step(m);
      } else if (item instanceof ReadBarrier r) {
        unsentReads.add(r);
        readDeadlines.add(r);
      } else if (item instanceof Unreachable u) {
        core.reportUnreachable(u.peer());
      } else if (item instanceof SnapshotReport r) {
        core.reportSnapshot(r.peer(), r.status());
      } else if (item instanceof SnapshotWritten w) {
        snapshotWritten(w);
      } else if (item instanceof MembershipProposal mp) {
        proposeMembership(mp);
      } else if (item instanceof CaptureAtApplied capture) {
        captureAtApplied(capture);
      } else if (item instanceof RemovedByPeer) {
        removedFromCluster("a peer says so");
      }
    }
    proposeBatch();
  }

  /**
   * Holds a proposal back until the inbox is drained (or something else arrives), so that all proposals of one
   * round go to the core together: one APPEND per follower and one answer from each, instead of one per proposal
   * whenever several clients wait at once, as check perf's 500 do.
   */
  private void batchProposal(Proposal p) {
    long requestId = nextRequestId++;
    byte[] data = p.data();
    ByteBuffer.wrap(data, 0, PROPOSAL_HEADER).putLong(id).putLong(requestId);
    batchedData.add(data);
    batchedProposals.add(new Proposal(requestId, null, p.future(), p.deadline()));
    batchedBytes += data.length;
    if (batchedProposals.size() >= MAX_PROPOSAL_BATCH || batchedBytes >= MAX_PROPOSAL_BATCH_BYTES) {
      proposeBatch();
    }
  }

  private void proposeBatch() {
    if (batchedProposals.isEmpty()) {
      return;
    }
    try {
      core.proposeAll(batchedData);
      for (Proposal tracked : batchedProposals) {
        pending.put(tracked.id(), tracked);
        proposalDeadlines.add(tracked);
      }
    } catch (ProposalDroppedException e) {
      StoreException noLeader = new StoreException(StoreException.Code.NO_LEADER,
          "etcdserver: no leader (" + e.getMessage() + ")");
      for (Proposal dropped : batchedProposals) {
        dropped.future().completeExceptionally(noLeader);
      }
    } finally {
      batchedData.clear();
      batchedProposals.clear();
      batchedBytes = 0;
    }
  }

  /** All reads that arrived since the last round share one ReadIndex round trip. */
  private void sendReads() {
    if (unsentReads.isEmpty()) {
      return;
    }
    long readId = nextReadId++;
    byte[] context = ByteBuffer.allocate(8).putLong(readId).array();
    List<ReadBarrier> batch = new ArrayList<>(unsentReads);
    unsentReads.clear();
    try {
      core.readIndex(context);
    } catch (ProposalDroppedException e) {
      StoreException noLeader = new StoreException(StoreException.Code.NO_LEADER,
          "etcdserver: no leader (" + e.getMessage() + ")");
      batch.forEach(r -> r.future().completeExceptionally(noLeader));
      return;
    }
    sentReads.put(readId, new ReadBatch(batch));
  }

  private void handle(Ready ready) {
    if (ready.softState() != null) {
      SoftState soft = ready.softState();
      if (soft.leader() != leader) {
        LOG.info("raft member {}: leader is now {} (term {})", Long.toHexString(id), Long.toHexString(soft.leader()),
            core.term());
      }
      leader = soft.leader();
      role = soft.role();
    }
    // 0. a leader's appends go out first: followers persist them while we do
    sendAll(ready.earlyMessages());
    // 1. persist: snapshot, entries, hard state; one fsync for all of it
    SnapshotFiles.Stored installed = null;
    if (ready.snapshot() != null) {
      installed = storage.installSnapshot(takeReceivedSnapshot(ready.snapshot().metadata()));
    }
    // Only a Ready that must sync (entries, a snapshot, a new term or vote) writes to the log, and then with the
    // newest hard state (its commit index rides in the entries' records). A Ready that only moves the commit index
    // writes nothing: Raft needs term and vote durable, not the commit index, which a restarted member relearns (a
    // follower from the leader's next APPEND or heartbeat, a leader by committing an entry of its new term). Each put
    // makes one such Ready on every member, and its HARD_STATE record cost each one more Chronicle write.
    if (ready.hardState() != null) {
      latestHardState = ready.hardState();
    }
    if (ready.mustSync()) {
      storage.append(ready.entries(), latestHardState);
      storage.sync();
    }
    if (ready.hardState() != null) {
      term = ready.hardState().term();
      committed = ready.hardState().commit();
    }
    // 2. send
    sendAll(ready.messages());
    // 3. install and apply
    if (installed != null) {
      try (InputStream data = installed.openData()) {
        restore(data);
      } catch (IOException e) {
        throw new UncheckedIOException("raft member " + Long.toHexString(id) + ": restore the leader's snapshot at "
            + "index " + installed.metadata().index() + " from " + installed.file(), e);
      }
      appliedIndex = installed.metadata().index();
      LOG.info("raft member {}: installed the leader's snapshot at index {} ({} members)", Long.toHexString(id),
          appliedIndex, memberList.members().size());
    }
    for (Entry e : ready.committedEntries()) {
      apply(e);
    }
    applied = appliedIndex;
    // 4. reads
    for (ReadState rs : ready.readStates()) {
      ReadBatch batch = sentReads.remove(ByteBuffer.wrap(rs.requestContext()).getLong());
      if (batch != null) {
        readsAwaitingApply.computeIfAbsent(rs.index(), k -> new ArrayList<>()).addAll(batch.barriers());
      }
    }
    completeAppliedReads();
    maybeSnapshot();
  }

  private void sendAll(List<Message> messages) {
    if (transport == null) {
      return;
    }
    for (Message m : messages) {
      if (m.type() != MessageType.SNAPSHOT) {
        transport.send(m);
        continue;
      }
      java.nio.file.Path file = storage.snapshotFile(m.snapshot().metadata());
      if (file == null) {
        // a newer snapshot replaced it meanwhile: the core sends that one after this failure
        enqueue(new SnapshotReport(m.to(), SnapshotStatus.FAILED));
      } else {
        transport.sendSnapshot(m, file);
      }
    }
  }

  /** The received file of the snapshot the core installs now (it installs only what it was stepped with). */
  private SnapshotFiles.Stored takeReceivedSnapshot(SnapshotMetadata metadata) {
    SnapshotFiles.Stored received = receivedSnapshot;
    if (received == null || !received.metadata().equals(metadata)) {
      throw new IllegalStateException("raft member " + Long.toHexString(id) + ": the core installs the snapshot "
          + metadata + ", but the snapshot received is " + (received == null ? "none" : received.metadata()));
    }
    receivedSnapshot = null;
    return received;
  }

  private void discardReceivedSnapshot() {
    if (receivedSnapshot != null) {
      deleteReceived(receivedSnapshot);
      receivedSnapshot = null;
    }
  }

  private void deleteReceived(SnapshotFiles.Stored received) {
    try {
      java.nio.file.Files.deleteIfExists(received.file());
    } catch (IOException e) {
      LOG.warn("raft member {}: delete the unused snapshot {}: {}", Long.toHexString(id), received.file(),
          e.toString());
    }
  }

  private void apply(Entry e) {
    if (e.index() <= appliedIndex) {
      return;
    }
    appliedIndex = e.index();
    if (e.type() == EntryType.CONF_CHANGE) {
      applyMembership(e);
      return;
    }
    if (e.data().length == 0) {
      return; // a new leader's no-op
    }
    if (e.data().length < PROPOSAL_HEADER) {
      LOG.error("raft member {}: entry {} is too short for a proposal header; skipped", Long.toHexString(id),
          e.index());
      return;
    }
    ByteBuffer header = ByteBuffer.wrap(e.data(), 0, PROPOSAL_HEADER);
    long proposer = header.getLong();
    long requestId = header.getLong();
    Object result = stateMachine.apply(e.index(), e.data(), PROPOSAL_HEADER, e.data().length - PROPOSAL_HEADER);
    if (proposer == id) {
      Proposal p = pending.remove(requestId);
      if (p != null) {
        if (result instanceof Throwable t) {
          p.future().completeExceptionally(t);
        } else {
          p.future().complete(result);
        }
      }
    }
  }

  private void completeAppliedReads() {
    while (!readsAwaitingApply.isEmpty() && readsAwaitingApply.firstKey() <= appliedIndex) {
      for (ReadBarrier r : readsAwaitingApply.pollFirstEntry().getValue()) {
        r.future().complete(null);
      }
    }
  }

  /**
   * Every {@code snapshotEntries} applied entries, captures the state machine (cheap: it copies references) and has
   * the snapshot writer serialise it to a file; the log is compacted when the file is durable ({@link
   * #snapshotWritten}). Meanwhile this thread goes on persisting, sending and applying: with a million keys, writing
   * the file takes seconds, which used to stall every write of the member.
   */
  private void maybeSnapshot() {
    long snapshotIndex = storage.snapshotMetadata().index();
    if (snapshotInProgress || appliedIndex - snapshotIndex < config.snapshotEntries()
        || appliedIndex < snapshotRetryIndex || appliedIndex > storage.lastIndex()) {
      return;
    }
    long start = System.nanoTime();
    SnapshotMetadata meta = new SnapshotMetadata(appliedIndex, storage.term(appliedIndex), core.confState());
    SnapshotFiles.DataWriter data = withMembers(memberList, stateMachine.captureSnapshot());
    snapshotInProgress = true;
    snapshotWriter.execute(() -> {
      try {
        enqueue(new SnapshotWritten(meta, storage.writeSnapshotFile(meta, data), start, null));
      } catch (Throwable t) {
        enqueue(new SnapshotWritten(meta, null, start, t));
      }
    });
  }

  private void snapshotWritten(SnapshotWritten w) {
    snapshotInProgress = false;
    if (w.failure() != null) {
      snapshotRetryIndex = appliedIndex + config.snapshotEntries();
      LOG.error("raft member {}: snapshot at index {} failed; the log is kept and the next attempt comes after "
          + "index {}", Long.toHexString(id), w.metadata().index(), snapshotRetryIndex, w.failure());
      return;
    }
    storage.snapshotWritten(w.metadata(), w.file());
    snapshotIndex = w.metadata().index();
    LOG.info("raft member {}: snapshot at index {} written in {} ms; log compacted", Long.toHexString(id),
        w.metadata().index(), (System.nanoTime() - w.startNanos()) / 1_000_000);
  }

  /** Restores the member list, if the data starts with one, and then the state machine from the rest. */
  private void restore(InputStream snapshotData) throws IOException {
    BufferedInputStream in = new BufferedInputStream(snapshotData, 1 << 16);
    DataInputStream data = new DataInputStream(in);
    in.mark(8);
    byte[] head = in.readNBytes(8);
    in.reset();
    if (head.length == 8 && ByteBuffer.wrap(head).getInt() == MEMBERS_MAGIC) {
      data.readInt();
      byte[] members = new byte[data.readInt()];
      data.readFully(members);
      setMembers(MemberList.decode(members));
    }
    stateMachine.restoreSnapshot(in);
  }

  private void expireDeadlines(long now) {
    while (!proposalDeadlines.isEmpty() && now - proposalDeadlines.peekFirst().deadline() > 0) {
      Proposal p = proposalDeadlines.pollFirst();
      if (pending.remove(p.id()) != null) {
        p.future().completeExceptionally(new StoreException(StoreException.Code.TIMEOUT,
            "etcdserver: request timed out (no commit within " + config.requestTimeout().toMillis() + " ms)"));
      }
    }
    while (!proposalDeadlines.isEmpty() && !pending.containsKey(proposalDeadlines.peekFirst().id())) {
      proposalDeadlines.pollFirst();
    }
    while (!readDeadlines.isEmpty() && (readDeadlines.peekFirst().future().isDone()
        || now - readDeadlines.peekFirst().deadline() > 0)) {
      readDeadlines.pollFirst().future().completeExceptionally(new StoreException(StoreException.Code.TIMEOUT,
          "etcdserver: request timed out (no read index within " + config.requestTimeout().toMillis() + " ms)"));
    }
    // a read index request lost with a leader never gets its ReadState: forget batches nobody waits for
    sentReads.values().removeIf(batch -> batch.barriers().stream().allMatch(r -> r.future().isDone()));
  }

  // ---------------------------------------------------------------- membership (Raft thread)

  /** A new cluster's log starts with its configuration: one committed member change per initial member. */
  private void bootstrapLog() {
    if (config.join() || storage.lastIndex() > 0 || storage.snapshotMetadata().index() > 0) {
      return;
    }
    List<Entry> entries = new ArrayList<>();
    for (long member : new TreeMap<>(config.initialMembers()).keySet()) {
      dev.tugboat.control.store.etcd.Membership.Member m = config.initialMembers().get(member);
      byte[] context = MemberList.encodeChange(0, 0, MemberList.initialMember(member, m.name(), m.peerUrls()));
      entries.add(new Entry(entries.size() + 1, 1, EntryType.CONF_CHANGE,
          new ConfChange(ConfChangeType.ADD_VOTER, member, context).encode()));
    }
    storage.append(entries, new HardState(1, 0, entries.size()));
    storage.sync();
  }

  /** Alone in the configuration: no reason to wait out an election timeout. */
  private void campaignIfAlone() {
    List<Long> voters = core.confState().voters();
    if (voters.size() == 1 && voters.get(0) == id && core.role() != StateRole.LEADER) {
      core.campaign();
    }
  }

  /**
   * A member of a brand-new cluster (the bootstrap term, no vote cast) waits out only the random part of its first
   * election timeout, as etcd's members do: a new cluster has no leader to hear from, and its first clients would
   * otherwise wait one to two whole timeouts for one. A member that has seen an election keeps the whole timeout,
   * so that it does not disturb a leader it has not heard from yet (pre-vote would refuse it anyway).
   */
  private void advanceFirstElectionClock() {
    if (core.term() > 1 || core.vote() != 0 || core.leader() != 0 || !core.confState().voters().contains(id)
        || core.confState().voters().size() < 2) {
      return;
    }
    for (int i = 1; i < config.electionTicks(); i++) {
      core.tick();
    }
  }

  private void proposeMembership(MembershipProposal p) {
    MemberList.Change change = p.change();
    StoreException refused = memberList.refusal(change);
    if (refused == null) {
      refused = runtimeRefusal(change);
    }
    if (refused != null) {
      p.future().completeExceptionally(refused);
      return;
    }
    long requestId = nextRequestId++;
    try {
      core.proposeConfChange(new ConfChange(change.kind().confChangeType(), change.id(),
          MemberList.encodeChange(id, requestId, change)));
    } catch (ProposalDroppedException e) {
      if (core.role() == StateRole.LEADER && core.leadTransferee() == 0) {
        membershipWaiting.add(p); // one change at a time: this one goes when the one before it is applied
        return;
      }
      p.future().completeExceptionally(new StoreException(StoreException.Code.NO_LEADER,
          "etcdserver: no leader (" + e.getMessage() + ")"));
      return;
    }
    Proposal tracked = new Proposal(requestId, null, p.future(), p.deadline());
    pending.put(requestId, tracked);
    proposalDeadlines.add(tracked);
  }

  /** Proposes again what waited for an earlier change; not counted as work, as it waits for an apply. */
  private void retryMembership() {
    if (membershipWaiting.isEmpty()) {
      return;
    }
    List<MembershipProposal> waiting = new ArrayList<>(membershipWaiting);
    membershipWaiting.clear();
    long now = System.nanoTime();
    for (MembershipProposal p : waiting) {
      if (now - p.deadline() > 0) {
        p.future().completeExceptionally(new StoreException(StoreException.Code.TIMEOUT, "etcdserver: request "
            + "timed out (an earlier membership change was not applied within "
            + config.requestTimeout().toMillis() + " ms)"));
      } else {
        proposeMembership(p);
      }
    }
  }

  /** etcd's strict reconfiguration checks: a change must leave a quorum of started voters, learners catch up. */
  private StoreException runtimeRefusal(MemberList.Change change) {
    if (change.kind() != MemberList.Kind.PUBLISH && transport == null) {
      return new StoreException(StoreException.Code.INVALID_ARGUMENT, "this store member runs without peers (no "
          + "peer URL to listen on), so its membership cannot change");
    }
    List<Long> voters = memberList.voters();
    switch (change.kind()) {
      case ADD_MEMBER -> {
        if (startedAmong(voters) < quorum(voters.size() + 1)) {
          return notEnoughStarted();
        }
      }
      case PROMOTE -> {
        if (core.role() != StateRole.LEADER) {
          return new StoreException(StoreException.Code.NOT_LEADER, "not leader");
        }
        if (core.matchIndex(change.id()) < core.matchIndex(id) * LEARNER_READY_FRACTION) {
          return new StoreException(StoreException.Code.LEARNER_NOT_READY,
              "can only promote a learner member which is in sync with leader");
        }
        if (startedAmong(voters) + (started(change.id()) ? 1 : 0) < quorum(voters.size() + 1)) {
          return notEnoughStarted();
        }
      }
      case REMOVE -> {
        if (voters.contains(change.id())) {
          List<Long> remaining = voters.stream().filter(v -> v != change.id()).toList();
          if (startedAmong(remaining) < quorum(remaining.size())) {
            return notEnoughStarted();
          }
        }
      }
      default -> { }
    }
    return null;
  }

  private int startedAmong(List<Long> voters) {
    return (int) voters.stream().filter(this::started).count();
  }

  /** This member, or a peer we hold a connection to. */
  private boolean started(long member) {
    return member == id || (transport != null && transport.isConnected(member));
  }

  private static int quorum(int voters) {
    return voters / 2 + 1;
  }

  private static StoreException notEnoughStarted() {
    return new StoreException(StoreException.Code.NOT_ENOUGH_STARTED_MEMBERS,
        "re-configuration failed due to not enough started members");
  }

  /** A committed configuration change: the member list and the transport follow it (the core did already). */
  private void applyMembership(Entry e) {
    ConfChange cc = ConfChange.decode(e.data());
    MemberList.ProposedChange proposed = cc.context().length > 0 ? MemberList.decodeChange(cc.nodeId(), cc.context())
        : new MemberList.ProposedChange(0, 0, new MemberList.Change(switch (cc.type()) {
          case ADD_VOTER -> MemberList.Kind.ADD_MEMBER;
          case ADD_LEARNER -> MemberList.Kind.ADD_LEARNER;
          case REMOVE_NODE -> MemberList.Kind.REMOVE;
          case UPDATE_NODE -> MemberList.Kind.PUBLISH;
        }, cc.nodeId(), null, null, null));
    MemberList.Change change = proposed.change();
    MemberList before = memberList;
    setMembers(before.apply(change));
    if (change.kind() != MemberList.Kind.PUBLISH) {
      LOG.info("raft member {}: membership change at index {}: {} {} {}", Long.toHexString(id), e.index(),
          change.kind(), Long.toHexString(change.id()), change.peerUrls() == null ? "" : change.peerUrls());
    }
    if (proposed.proposer() == id) {
      Proposal p = pending.remove(proposed.requestId());
      if (p != null) {
        p.future().complete(memberList);
      }
    }
    if (change.kind() == MemberList.Kind.REMOVE && change.id() == id) {
      removedFromCluster("the entry at index " + e.index() + " removed it");
    }
  }

  private void setMembers(MemberList next) {
    MemberList before = memberList;
    memberList = next;
    if (transport != null) {
      updatePeers(before);
    }
  }

  /** The transport talks to the members of the list and to no removed one. */
  private void updatePeers(MemberList before) {
    if (transport == null) {
      return;
    }
    for (dev.tugboat.control.store.etcd.Membership.Member m : memberList.members()) {
      if (m.id() != id && !m.peerUrls().isEmpty()) {
        try {
          transport.setPeer(m.id(), ReplicatedStoreConfig.socketAddress("peer URL of member "
              + Long.toHexString(m.id()), m.peerUrls().get(0)));
        } catch (IllegalArgumentException bad) {
          LOG.warn("raft member {}: {}", Long.toHexString(id), bad.getMessage());
        }
      }
    }
    for (long gone : memberList.removed()) {
      if (gone != id) {
        transport.removePeer(gone);
      }
    }
  }

  private void removedFromCluster(String how) {
    if (wasRemoved) {
      return;
    }
    wasRemoved = true;
    LOG.warn("raft member {}: this member was removed from the cluster ({}); it stops", Long.toHexString(id), how);
  }

  /** A snapshot's data: the member list, then the state machine's (see {@link #restore}). */
  static SnapshotFiles.DataWriter withMembers(MemberList members, SnapshotFiles.DataWriter data) {
    byte[] encoded = members.encode();
    return out -> {
      DataOutputStream header = new DataOutputStream(out);
      header.writeInt(MEMBERS_MAGIC);
      header.writeInt(encoded.length);
      header.write(encoded);
      header.flush();
      data.writeTo(out);
    };
  }

  private void failEverything(StoreException cause) {
    pending.values().forEach(p -> p.future().completeExceptionally(cause));
    pending.clear();
    batchedProposals.forEach(p -> p.future().completeExceptionally(cause));
    batchedProposals.clear();
    batchedData.clear();
    batchedBytes = 0;
    membershipWaiting.forEach(p -> p.future().completeExceptionally(cause));
    membershipWaiting.clear();
    readDeadlines.forEach(r -> r.future().completeExceptionally(cause));
    Object item;
    while ((item = inbox.relaxedPoll()) != null) {
      if (item instanceof Proposal p) {
        p.future().completeExceptionally(cause);
      } else if (item instanceof ReadBarrier r) {
        r.future().completeExceptionally(cause);
      } else if (item instanceof MembershipProposal m) {
        m.future().completeExceptionally(cause);
      } else if (item instanceof ReceivedSnapshot r) {
        deleteReceived(r.file());
      }
    }
    discardReceivedSnapshot();
  }

  private StoreException stopped() {
    return new StoreException(StoreException.Code.STOPPED, "raft member " + Long.toHexString(id) + " is stopped");
  }

  /** Stops the Raft thread, fails what is still waiting with STOPPED, and closes the transport and the log. */
  @Override
  public void close() {
    if (loop.inEventLoop()) {
      throw new IllegalStateException("raft member " + Long.toHexString(id) + ": close() waits for the Raft thread, "
          + "so it cannot run on it");
    }
    running = false;
    try {
      loop.submit(() -> end(true)).awaitUninterruptibly();
    } catch (RejectedExecutionException alreadyShutDown) {
      // closed before
    }
    snapshotWriter.shutdown();
    try {
      // a snapshot being written finishes its file: nothing is left half-written in the data dir
      snapshotWriter.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (transport != null) {
      transport.close();
    }
    loopGroup.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    storage.close();
    failEverything(stopped());
  }

  @Override
  public String toString() {
    return "raft member " + Long.toHexString(id) + " (" + role + ", term " + term + ", leader "
        + Long.toHexString(leader) + ", commit " + committed + ", applied " + applied + ")";
  }

  Map<Long, java.net.InetSocketAddress> members() {
    return config.members();
  }

  RaftNodeConfig config() {
    return config;
  }

  long snapshotIndex() {
    return snapshotIndex;
  }
}
