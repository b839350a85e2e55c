package dev.tugboat.control.apiserver.resources;

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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A store whose transactions can be held back while the test looks at what waits for them, then let through to the
 * real store or failed with a store error, as a commit that takes long or never comes would. Passes through until
 * {@link #hold} is called. Reads can be held back too ({@link #holdReads}), as a read waiting for its Raft round.
 */
final class HeldStore implements KeyValueStore {

  private final KeyValueStore store;
  private final List<Runnable> through = new ArrayList<>();
  private final List<CompletableFuture<TxnResponse>> answers = new ArrayList<>();
  private boolean holding;
  private final List<Runnable> heldReads = new ArrayList<>();
  private boolean holdingReads;

  HeldStore(KeyValueStore store) {
    this.store = store;
  }

  synchronized void hold() {
    holding = true;
  }

  synchronized int held() {
    return through.size();
  }

  synchronized void holdReads() {
    holdingReads = true;
  }

  synchronized int heldReads() {
    return heldReads.size();
  }

  /** Lets every held read reach the store, and passes the next ones through. */
  void releaseReads() {
    List<Runnable> go;
    synchronized (this) {
      holdingReads = false;
      go = new ArrayList<>(heldReads);
      heldReads.clear();
    }
    go.forEach(Runnable::run);
  }

  /** Lets every held transaction reach the store, and passes the next ones through. */
  void release() {
    List<Runnable> go;
    synchronized (this) {
      holding = false;
      go = new ArrayList<>(through);
      through.clear();
      answers.clear();
    }
    go.forEach(Runnable::run);
  }

  /** Fails every held transaction with {@code failure}, as the store does when it cannot commit; passes the next. */
  void fail(StoreException failure) {
    List<CompletableFuture<TxnResponse>> failed;
    synchronized (this) {
      holding = false;
      failed = new ArrayList<>(answers);
      through.clear();
      answers.clear();
    }
    failed.forEach(answer -> answer.completeExceptionally(failure));
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    synchronized (this) {
      if (holding) {
        CompletableFuture<TxnResponse> answer = new CompletableFuture<>();
        answers.add(answer);
        through.add(() -> passOn(store.txn(request), answer));
        return answer;
      }
    }
    return store.txn(request);
  }

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    synchronized (this) {
      if (holdingReads) {
        CompletableFuture<RangeResponse> answer = new CompletableFuture<>();
        heldReads.add(() -> passOn(store.range(request), answer));
        return answer;
      }
    }
    return store.range(request);
  }

  /** Completes {@code answer} as the store's {@code result} completes. */
  private static <T> void passOn(CompletableFuture<T> result, CompletableFuture<T> answer) {
    result.whenComplete((response, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
      } else {
        answer.complete(response);
      }
    });
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return store.put(request);
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return store.deleteRange(request);
  }

  @Override
  public CompletableFuture<Long> compact(long revision) {
    return store.compact(revision);
  }

  @Override
  public Watch watch(WatchRequest request, WatchListener listener) {
    return store.watch(request, listener);
  }

  @Override
  public CompletableFuture<LeaseGrant> leaseGrant(long ttlSeconds, long id) {
    return store.leaseGrant(ttlSeconds, id);
  }

  @Override
  public CompletableFuture<Void> leaseRevoke(long id) {
    return store.leaseRevoke(id);
  }

  @Override
  public CompletableFuture<Long> leaseKeepAlive(long id) {
    return store.leaseKeepAlive(id);
  }

  @Override
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long id, boolean withKeys) {
    return store.leaseTimeToLive(id, withKeys);
  }

  @Override
  public long currentRevision() {
    return store.currentRevision();
  }

  @Override
  public long compactRevision() {
    return store.compactRevision();
  }

  @Override
  public void close() {
    store.close();
  }
}
