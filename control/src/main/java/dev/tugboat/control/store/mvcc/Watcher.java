package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One watch: filters the store's changes to its range and hands them to its listener, in revision order, on one
 * executor thread at a time. Deliveries are queued by the applying thread, so a slow listener never slows apply.
 */
final class Watcher implements Watch {

  private static final Logger LOG = LoggerFactory.getLogger(Watcher.class);

  private final long id;
  private final WatchRequest request;
  private final WatchListener listener;
  private final Executor executor;
  private final WatchHub hub;
  private final Queue<Runnable> deliveries = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final ReentrantLock delivering = new ReentrantLock();
  private volatile boolean ended;
  /** Set when events are queued, cleared by the periodic progress notification. */
  private volatile boolean sentSinceProgress;

  Watcher(long id, WatchRequest request, WatchListener listener, Executor executor, WatchHub hub) {
    this.id = id;
    this.request = request;
    this.listener = listener;
    this.executor = executor;
    this.hub = hub;
  }

  @Override
  public long id() {
    return id;
  }

  WatchRequest request() {
    return request;
  }

  /** Queues the events of one revision that this watch wants (the caller passes them in apply order). */
  void offer(long revision, List<WatchEvent> events) {
    if (revision < request.startRevision()) {
      return;
    }
    List<WatchEvent> wanted = null;
    for (WatchEvent event : events) {
      if (!wants(event)) {
        continue;
      }
      if (wanted == null) {
        wanted = new ArrayList<>();
      }
      wanted.add(request.prevKv() ? event : new WatchEvent(event.type(), event.kv(), null));
    }
    if (wanted != null) {
      List<WatchEvent> batch = wanted;
      sentSinceProgress = true;
      enqueue(() -> listener.onEvents(revision, batch));
    }
  }

  /** Queues events replayed from history: they may span several revisions. */
  void offerHistory(List<WatchEvent> events) {
    int from = 0;
    for (int i = 1; i <= events.size(); i++) {
      if (i == events.size() || events.get(i).kv().modRevision() != events.get(from).kv().modRevision()) {
        offer(events.get(from).kv().modRevision(), events.subList(from, i));
        from = i;
      }
    }
  }

  void offerProgress(long revision) {
    enqueue(() -> listener.onProgress(revision));
  }

  /** A periodic progress notification, sent only to watches that asked and saw no events since the last one. */
  void offerPeriodicProgress(long revision) {
    if (request.progressNotify() && !sentSinceProgress) {
      offerProgress(revision);
    }
    sentSinceProgress = false;
  }

  void offerCompacted(long compactRevision) {
    enqueueLast(() -> listener.onCompacted(compactRevision));
  }

  void offerClosed(Throwable cause) {
    enqueueLast(() -> listener.onClosed(cause));
  }

  @Override
  public void requestProgress() {
    hub.requestProgress(this);
  }

  @Override
  public void cancel() {
    if (!ended) {
      ended = true;
      hub.remove(this);
    }
    // "No callback follows a completed cancel": wait out a delivery running on another thread.
    if (!delivering.isHeldByCurrentThread()) {
      delivering.lock();
      delivering.unlock();
    }
  }

  boolean wants(WatchEvent event) {
    if (event.type() == WatchEvent.Type.PUT ? request.noPut() : request.noDelete()) {
      return false;
    }
    return contains(request.key(), request.rangeEnd(), event.kv().key());
  }

  static boolean contains(byte[] key, byte[] rangeEnd, byte[] candidate) {
    if (rangeEnd.length == 0) {
      return Arrays.equals(key, candidate);
    }
    if (KeySpace.KEY_ORDER.compare(candidate, key) < 0) {
      return false;
    }
    return Arrays.equals(rangeEnd, KeyRanges.ALL_FROM_KEY) || KeySpace.KEY_ORDER.compare(candidate, rangeEnd) < 0;
  }

  /** Queues the final callback: after it nothing more is delivered. */
  private void enqueueLast(Runnable last) {
    enqueue(() -> {
      ended = true;
      last.run();
    });
  }

  private void enqueue(Runnable delivery) {
    if (ended) {
      return;
    }
    deliveries.add(delivery);
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }

  private void drain() {
    delivering.lock();
    try {
      Runnable delivery;
      while (!ended && (delivery = deliveries.poll()) != null) {
        try {
          delivery.run();
        } catch (RuntimeException e) {
          LOG.warn("watch {}: listener failed, cancelling the watch", id, e);
          ended = true;
          hub.remove(this);
        }
      }
      if (ended) {
        deliveries.clear();
      }
    } finally {
      delivering.unlock();
      scheduled.set(false);
    }
    if (!ended && !deliveries.isEmpty() && scheduled.compareAndSet(false, true)) {
      executor.execute(this::drain);
    }
  }
}
