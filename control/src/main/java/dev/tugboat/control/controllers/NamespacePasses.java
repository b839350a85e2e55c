package dev.tugboat.control.controllers;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * The level-triggered loop of a controller that works a namespace at a time: watches of the owning kind and of what
 * it owns only mark a namespace for a pass, which reads what is there now; namespaces that hold the owning kind are
 * passed again every {@code resync}. Events from namespaces without an owner cost only the event.
 */
final class NamespacePasses implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NamespacePasses.class);

  /**
   * A watched collection: (group, resource), whether its objects are the owning kind, and which of its events count
   * (the type and the object).
   */
  record Watched(String group, String resource, boolean owners, BiPredicate<String, JsonNode> counts) {
    Watched(String group, String resource, boolean owners) {
      this(group, resource, owners, (type, object) -> true);
    }
  }

  private final String name;
  private final LoopbackClient api;
  private final Duration resync;
  private final Consumer<String> pass;
  private final Set<String> withOwners = ConcurrentHashMap.newKeySet();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final Semaphore wake = new Semaphore(0);
  private final Thread worker;
  private volatile boolean closed;

  /** {@code pass} syncs one namespace; it returns normally or throws to be retried at the next wake. */
  NamespacePasses(String name, LoopbackClient api, Duration resync, Consumer<String> pass) {
    this.name = name;
    this.api = api;
    this.resync = resync;
    this.pass = pass;
    this.worker = new Thread(this::loop, "tug-" + name);
    this.worker.setDaemon(true);
  }

  /** Starts watching, marks every namespace holding {@code owners} now, and starts the passes. */
  NamespacePasses start(List<Watched> watched) {
    for (Watched w : watched) {
      watch(w);
    }
    for (Watched w : watched) {
      if (!w.owners()) continue;
      for (JsonNode owner : api.list(w.group(), "v1", w.resource(), null, null)) {
        if (!w.counts().test("ADDED", owner)) continue;
        String namespace = owner.path("metadata").path("namespace").asString("");
        withOwners.add(namespace);
        dirty.add(namespace);
      }
    }
    worker.start();
    return this;
  }

  /** The namespace holds no owner any more: its dependents' events stop waking passes. */
  void forget(String namespace) {
    withOwners.remove(namespace);
  }

  /** Another pass of the namespace soon (after a conflict, or for a step that follows). */
  void again(String namespace) {
    if (dirty.add(namespace)) wake.release();
  }

  private void watch(Watched w) {
    if (closed) return;
    try {
      api.watch(w.group(), "v1", w.resource(), null, new LoopbackClient.WatchHandler() {
        @Override
        public boolean onEvent(String type, JsonNode object) {
          if (!w.counts().test(type, object)) return !closed;
          String namespace = object.path("metadata").path("namespace").asString("");
          if (w.owners()) withOwners.add(namespace);
          if (withOwners.contains(namespace)) again(namespace);
          return !closed;
        }

        @Override
        public void onEnd() {
          // ended by the watch cache (closed, or too slow a reader): the resync covers the gap
          if (!closed) watch(w);
        }
      });
    } catch (RuntimeException e) {
      LOG.warn("{}: watch {}: {}", name, w.resource(), e.toString());
    }
  }

  private void loop() {
    long nextResync = System.nanoTime() + resync.toNanos();
    while (!closed) {
      try {
        wake.tryAcquire(Math.max(1, (nextResync - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        wake.drainPermits();
        if (closed) return;
        if (System.nanoTime() >= nextResync) {
          dirty.addAll(withOwners);
          nextResync = System.nanoTime() + resync.toNanos();
        }
        for (String namespace : List.copyOf(dirty)) {
          dirty.remove(namespace);
          try {
            pass.accept(namespace);
          } catch (RuntimeException e) {
            LOG.warn("{} pass in {}: {}", name, namespace, e.toString());
          }
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
