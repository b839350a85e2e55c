package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.function.LongSupplier;

/**
 * The running watches. New watches replay history and join under the state machine's write lock, so every change is
 * queued to a watch exactly once: either replayed from history or published by the apply that made it.
 */
final class WatchHub {

  private final Executor executor;
  private final LongSupplier currentRevision;
  /** The state machine's read lock: a progress notification must not overtake the events of its revision. */
  private final Lock readLock;
  private final Map<Long, Watcher> watchers = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);

  WatchHub(Executor executor, LongSupplier currentRevision, Lock readLock) {
    this.executor = executor;
    this.currentRevision = currentRevision;
    this.readLock = readLock;
  }

  /** Starts a watch; the caller holds the write lock and passes the keyspace the watch replays from. */
  Watcher start(WatchRequest request, WatchListener listener, KeySpace keySpace) {
    Watcher watcher = new Watcher(nextId.getAndIncrement(), normalized(request, keySpace), listener, executor, this);
    long start = watcher.request().startRevision();
    if (start < keySpace.compactRevision()) {
      watcher.offerCompacted(keySpace.compactRevision());
      return watcher;
    }
    if (start <= keySpace.revision()) {
      watcher.offerHistory(keySpace.history(request.key(), request.rangeEnd(), start));
    }
    watchers.put(watcher.id(), watcher);
    return watcher;
  }

  /** A start revision of 0 means "after the current revision". */
  private static WatchRequest normalized(WatchRequest r, KeySpace keySpace) {
    if (r.startRevision() > 0) {
      return r;
    }
    return new WatchRequest(r.key(), r.rangeEnd(), keySpace.revision() + 1, r.prevKv(), r.progressNotify(),
        r.noPut(), r.noDelete());
  }

  /** Queues one applied revision's changes to every watch; called by the applying thread. */
  void publish(long revision, List<WatchEvent> events) {
    for (Watcher watcher : watchers.values()) {
      watcher.offer(revision, events);
    }
  }

  void requestProgress(Watcher watcher) {
    readLock.lock();
    try {
      watcher.offerProgress(currentRevision.getAsLong());
    } finally {
      readLock.unlock();
    }
  }

  void periodicProgress() {
    readLock.lock();
    try {
      long revision = currentRevision.getAsLong();
      for (Watcher watcher : watchers.values()) {
        watcher.offerPeriodicProgress(revision);
      }
    } finally {
      readLock.unlock();
    }
  }

  void remove(Watcher watcher) {
    watchers.remove(watcher.id());
  }

  int size() {
    return watchers.size();
  }

  /** Ends every watch with {@code cause} (the store is stopping, or its state was replaced by a snapshot). */
  void closeAll(StoreException cause) {
    for (Watcher watcher : new ArrayList<>(watchers.values())) {
      watchers.remove(watcher.id());
      watcher.offerClosed(cause);
    }
  }
}
