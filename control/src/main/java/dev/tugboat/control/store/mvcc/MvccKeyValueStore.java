package dev.tugboat.control.store.mvcc;

import com.google.protobuf.CodedOutputStream;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.DeleteRangeResponse;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.LeaseTimeToLive;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.etcd.api.CompactionRequest;
import dev.tugboat.control.store.etcd.api.LeaseGrantRequest;
import dev.tugboat.control.store.etcd.api.LeaseRevokeRequest;
import dev.tugboat.control.store.etcd.api.StoreCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link KeyValueStore} over a {@link StoreStateMachine}: requests are checked, encoded as {@code StoreCommand}s and
 * proposed; reads are served from the local state after the proposer's read barrier. The leader's lease expiry and
 * watch progress notifications run on one timer thread here. Futures fail with the {@link StoreException} itself.
 */
public final class MvccKeyValueStore implements KeyValueStore {

  /** etcd's default {@code --max-request-bytes}: 1.5 MiB. */
  public static final int MAX_REQUEST_BYTES = 1536 * 1024;
  /** etcd's default interval between progress notifications for watches that ask for them. */
  public static final Duration DEFAULT_PROGRESS_INTERVAL = Duration.ofMinutes(10);
  private static final long EXPIRY_CHECK_MILLIS = 250;
  private static final Logger LOG = LoggerFactory.getLogger(MvccKeyValueStore.class);

  private final StoreStateMachine stateMachine;
  private final Proposer proposer;
  private final LeaseExpiry leaseExpiry = new LeaseExpiry(System::nanoTime);
  private final ScheduledExecutorService timer;
  private final List<AutoCloseable> owned;
  private volatile boolean closed;

  /**
   * A store over {@code stateMachine}, whose commands {@code proposer} orders. {@code owned} are closed with the store
   * (after the proposer), e.g. the watch executor the state machine was made with.
   */
  public MvccKeyValueStore(StoreStateMachine stateMachine, Proposer proposer, Duration progressInterval,
                           AutoCloseable... owned) {
    this.stateMachine = stateMachine;
    this.proposer = proposer;
    this.owned = List.of(owned);
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("tug-store-timer"));
    timer.scheduleWithFixedDelay(this::expireLeases, EXPIRY_CHECK_MILLIS, EXPIRY_CHECK_MILLIS, TimeUnit.MILLISECONDS);
    long progressMillis = progressInterval.toMillis();
    timer.scheduleAtFixedRate(stateMachine::notifyProgress, progressMillis, progressMillis, TimeUnit.MILLISECONDS);
  }

  /** A single-member store in memory, applying each command directly. */
  public static MvccKeyValueStore inMemory() {
    return inMemory(DEFAULT_PROGRESS_INTERVAL);
  }

  public static MvccKeyValueStore inMemory(Duration progressInterval) {
    ExecutorService watchExecutor = newWatchExecutor();
    StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
    return new MvccKeyValueStore(stateMachine, new DirectProposer(stateMachine), progressInterval,
        watchExecutor::shutdownNow);
  }

  /**
   * The threads that run watch listeners: daemon threads, as many as watches deliver at once, because a listener
   * may wait for its client (the gRPC watch does) and must not hold up the others.
   */
  public static ExecutorService newWatchExecutor() {
    return Executors.newCachedThreadPool(daemonThreads("tug-store-watch"));
  }

  public StoreStateMachine stateMachine() {
    return stateMachine;
  }

  public Proposer proposer() {
    return proposer;
  }

  // ---- KV

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    try {
      RequestChecks.checkRange(request);
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (request.serializable()) {
      return attempt(() -> stateMachine.range(request));
    }
    return after(proposer.readBarrier(), v -> stateMachine.range(request));
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return propose(() -> {
      RequestChecks.checkPut(request);
      return StoreCommand.newBuilder().setPut(EtcdMessages.toProto(request)).build();
    });
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return propose(() -> {
      RequestChecks.checkDeleteRange(request);
      return StoreCommand.newBuilder().setDeleteRange(EtcdMessages.toProto(request)).build();
    });
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return propose(() -> {
      RequestChecks.checkTxn(request);
      return StoreCommand.newBuilder().setTxn(EtcdMessages.toProto(request)).build();
    });
  }

  @Override
  public CompletableFuture<Long> compact(long revision) {
    return propose(() -> StoreCommand.newBuilder()
        .setCompaction(CompactionRequest.newBuilder().setRevision(revision)).build());
  }

  // ---- Watch

  @Override
  public Watch watch(WatchRequest request, WatchListener listener) {
    if (closed) {
      throw new StoreException(StoreException.Code.STOPPED, "watch: store is closed");
    }
    return stateMachine.watch(request, listener);
  }

  // ---- Lease

  @Override
  public CompletableFuture<LeaseGrant> leaseGrant(long ttlSeconds, long id) {
    return propose(() -> {
      RequestChecks.checkLeaseTtl(ttlSeconds);
      // etcd takes any TTL below its minimum as the minimum; a lease must outlive one expiry check.
      long ttl = Math.max(1, ttlSeconds);
      long leaseId = id != 0 ? id : newLeaseId();
      return StoreCommand.newBuilder().setLeaseGrant(LeaseGrantRequest.newBuilder().setID(leaseId).setTTL(ttl)).build();
    });
  }

  /** A random positive id no lease has: ids are chosen before proposing so that apply stays deterministic. */
  private long newLeaseId() {
    long id;
    do {
      id = ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
    } while (stateMachine.leaseExists(id));
    return id;
  }

  @Override
  public CompletableFuture<Void> leaseRevoke(long id) {
    CompletableFuture<Object> revoked = propose(() -> StoreCommand.newBuilder()
        .setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)).build());
    return after(revoked, r -> null);
  }

  @Override
  public CompletableFuture<Long> leaseKeepAlive(long id) {
    if (!proposer.isLeader()) {
      return CompletableFuture.failedFuture(
          new StoreException(StoreException.Code.NO_LEADER, "lease keep-alive: this member is not the leader"));
    }
    return attempt(() -> {
      LeaseTimeToLive lease = stateMachine.leaseInfo(id, false);
      if (lease.ttlSeconds() < 0) {
        throw StoreStateMachine.leaseNotFound(id);
      }
      return leaseExpiry.renew(id, lease.grantedTtlSeconds());
    });
  }

  @Override
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long id, boolean withKeys) {
    return after(proposer.readBarrier(), v -> {
      LeaseTimeToLive lease = stateMachine.leaseInfo(id, withKeys);
      if (lease.ttlSeconds() < 0) {
        return lease;
      }
      long left = leaseExpiry.remainingSeconds(id, lease.grantedTtlSeconds());
      return new LeaseTimeToLive(id, left, lease.grantedTtlSeconds(), lease.keys());
    });
  }

  /** Every lease, with its granted TTL (added for etcd's Lease.LeaseLeases). */
  public CompletableFuture<List<LeaseGrant>> leases() {
    return after(proposer.readBarrier(), v -> stateMachine.leases());
  }

  private void expireLeases() {
    try {
      if (closed) {
        return;
      }
      if (!proposer.isLeader()) {
        leaseExpiry.forgetAll();
        return;
      }
      for (long id : leaseExpiry.expired(stateMachine.leases())) {
        leaseRevoke(id).whenComplete((v, failure) -> {
          leaseExpiry.revokeFinished(id);
          if (failure != null && !(unwrap(failure) instanceof StoreException se
              && se.code() == StoreException.Code.LEASE_NOT_FOUND)) {
            LOG.warn("lease {}: revoking the expired lease failed, retrying", id, unwrap(failure));
          }
        });
      }
    } catch (RuntimeException e) {
      LOG.warn("lease expiry check failed", e);
    }
  }

  // ---- state

  @Override
  public long currentRevision() {
    return stateMachine.revision();
  }

  @Override
  public long compactRevision() {
    return stateMachine.compactRevision();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    timer.shutdownNow();
    proposer.close();
    stateMachine.closeWatches(new StoreException(StoreException.Code.STOPPED, "store is closed"));
    for (AutoCloseable resource : owned) {
      try {
        resource.close();
      } catch (Exception e) {
        LOG.warn("closing {} failed", resource, e);
      }
    }
  }

  // ---- proposing

  @SuppressWarnings("unchecked")
  private <T> CompletableFuture<T> propose(Supplier<StoreCommand> command) {
    StoreCommand encoded;
    try {
      if (closed) {
        throw new StoreException(StoreException.Code.STOPPED, "store is closed");
      }
      encoded = command.get();
    } catch (StoreException e) {
      return CompletableFuture.failedFuture(e);
    }
    int size = encoded.getSerializedSize();
    if (size > MAX_REQUEST_BYTES) {
      return CompletableFuture.failedFuture(new StoreException(StoreException.Code.REQUEST_TOO_LARGE,
          "request is " + size + " bytes, more than the limit of " + MAX_REQUEST_BYTES));
    }
    return after(proposer.proposeFramed(framed(encoded, proposer.headerBytes(), size)), result -> (T) result);
  }

  /** The command encoded after {@code header} free bytes, which the proposer fills in without copying the command. */
  private static byte[] framed(StoreCommand command, int header, int size) {
    byte[] framed = new byte[header + size];
    CodedOutputStream out = CodedOutputStream.newInstance(framed, header, size);
    try {
      command.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException("encoding a store command into an array", e); // an array never fails a write
    }
    out.checkNoSpaceLeft();
    return framed;
  }

  /** Maps a stage's result, passing its failure (unwrapped) or the mapping's exception on as is. */
  private static <A, B> CompletableFuture<B> after(CompletableFuture<A> stage, Function<A, B> then) {
    CompletableFuture<B> out = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure != null) {
        out.completeExceptionally(unwrap(failure));
        return;
      }
      try {
        out.complete(then.apply(value));
      } catch (RuntimeException e) {
        out.completeExceptionally(e);
      }
    });
    return out;
  }

  private static <T> CompletableFuture<T> attempt(Supplier<T> read) {
    try {
      return CompletableFuture.completedFuture(read.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

}
