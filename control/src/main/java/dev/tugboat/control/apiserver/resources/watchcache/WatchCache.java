package dev.tugboat.control.apiserver.resources.watchcache;

import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.Registry;
import dev.tugboat.control.apiserver.resources.ResourceType;
import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.apiserver.resources.StoreCalls;
import dev.tugboat.control.apiserver.resources.StoredJson;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The current state and recent history of one resource, kept by a single store watch on its prefix and fanned out
 * to every API watcher (Kubernetes' {@code cacher}). It also answers lists at {@code resourceVersion=0} from memory.
 * Objects it holds are shared and must not be modified.
 */
public final class WatchCache implements WatchListener {

  private static final Logger LOG = LoggerFactory.getLogger(WatchCache.class);
  private static final long FUTURE_REVISION_WAIT_MS = 3000;

  /** One change, as the API reports it. {@code previous} is the object before, for selector transitions. */
  static final class Event {
    private final String type;
    private final String key;
    private final CachedObject object;
    private final CachedObject previous;
    private final long revision;
    private String encodedType;
    private ByteBuf encoded;

    Event(String type, String key, CachedObject object, CachedObject previous, long revision) {
      this.type = type;
      this.key = key;
      this.object = object;
      this.previous = previous;
      this.revision = revision;
    }

    String type() {
      return type;
    }

    String key() {
      return key;
    }

    CachedObject object() {
      return object;
    }

    CachedObject previous() {
      return previous;
    }

    long revision() {
      return revision;
    }

    /**
     * The whole watch event ({@code {"type":...,"object":...}} and a newline) as {@code eventType}, encoded once for
     * every watcher that sees it so (watchers whose selector the object enters or leaves see another type), held by
     * this event until {@link #dropEncoded()}; each watcher takes its own reference. Under the cache's lock.
     */
    ByteBuf encoded(String eventType, ByteBufAllocator allocator) {
      if (!eventType.equals(encodedType)) {
        dropEncoded();
        encoded = EventEncoder.wrapLine(eventType, object.json(), allocator);
        encodedType = eventType;
      }
      return encoded;
    }

    /**
     * Lets go of the encoded line once the watchers of the moment have their references: kept for the history, the
     * lines of 10,000 changes would double what the cache holds; a watcher replaying the history encodes it anew.
     */
    void dropEncoded() {
      if (encoded != null) {
        encoded.release();
        encoded = null;
        encodedType = null;
      }
    }

    /** The change leaves the history: its reference to the object goes (the previous one it never held). */
    void release() {
      dropEncoded();
      object.release();
    }
  }

  /**
   * A write this server is making: its stored bytes, and what selectors see of it, taken from the writer's tree so that
   * the cache need not parse the stored bytes once more when the write's event arrives. Parsing each created pod again
   * here was about a tenth of the server's Java samples with 64 clients creating pods (JFR, 2026-11-29), and its tree
   * the largest share of what the server allocated per create.
   */
  public static final class ExpectedWrite {
    private final String key;
    private final byte[] stored;
    private final Map<String, String> labels;
    private final Map<String, String> fields;
    /** Set by whichever of the writer and this cache splices the served JSON first; the other takes it. */
    private volatile Served served;

    private record Served(long revision, byte[] json) {}

    ExpectedWrite(String key, byte[] stored, Map<String, String> labels, Map<String, String> fields) {
      this.key = key;
      this.stored = stored;
      this.labels = labels;
      this.fields = fields;
    }

    public String key() {
      return key;
    }

    public byte[] stored() {
      return stored;
    }

    public Map<String, String> labels() {
      return labels;
    }

    public Map<String, String> fields() {
      return fields;
    }

    /**
     * The stored bytes as served at {@code revision} ({@link StoredJson#withResourceVersion}), or null when they cannot
     * be spliced. The writer answers with them and this cache copies them off the heap: made once for both, they are
     * one array instead of two per create (each a pod's JSON; the two were 2.4 KB of the 39 KB the server allocated
     * per create with 64 clients, JFR 2026-11-29), and one splice. The array dies young with the response. Shared:
     * never to be modified.
     */
    public byte[] served(long revision) {
      Served made = served;
      if (made != null && made.revision() == revision) {
        return made.json();
      }
      byte[] json = StoredJson.withResourceVersion(stored, revision);
      if (json != null) {
        served = new Served(revision, json);
      }
      return json;
    }
  }

  /** More expected writes than this means their events are not arriving (a cache restarting): forget them. */
  private static final int MAX_EXPECTED_WRITES = 10_000;

  private final ResourceType type;
  private final KeyValueStore store;
  private final ScheduledExecutorService scheduler;
  private final int historyCapacity;
  private final ConcurrentHashMap<String, ExpectedWrite> expected = new ConcurrentHashMap<>();
  private final long bookmarkIntervalMs;
  /**
   * The selector labels and fields of the objects held, each value kept once: the strings parsed from each pod (its
   * namespace, restart policy, scheduler, phase, labels...) were, once its JSON left the heap, most of what a cached
   * pod kept there. Under this cache's lock.
   */
  private final RepeatedStrings strings = new RepeatedStrings();
  /**
   * Where the objects' JSON and the events' lines live, off the heap: each buffer malloc'd and freed on its own, as
   * they are mostly long-lived and of one size. Holding 11,000 buffers of 1.1-1.25 KB (12.9 MB) while making and
   * freeing a line for each, Netty's default (adaptive) allocator had 19.5 MB of direct memory out and grew the
   * process by 16.6 MB, its pooled allocator 16.8 and 13.5 MB, this one 12.9 and 10.2 MB (2026-11-29).
   */
  private final ByteBufAllocator allocator;

  private final TreeMap<String, CachedObject> objects = new TreeMap<>();
  private final ArrayDeque<Event> history = new ArrayDeque<>();
  private final List<Watcher> watchers = new ArrayList<>();
  private final List<Pending> pending = new ArrayList<>();
  private long revision;
  /** Every event with a revision above this is in {@link #history}. */
  private long windowStart;
  private Watch storeWatch;
  private boolean started;
  private boolean closed;

  private record Pending(long revision, Runnable action) {}

  public WatchCache(ResourceType type, KeyValueStore store, ScheduledExecutorService scheduler, int historyCapacity,
                    long bookmarkIntervalMs) {
    this(type, store, scheduler, historyCapacity, bookmarkIntervalMs, UnpooledByteBufAllocator.DEFAULT);
  }

  /**
   * {@code allocator} gives the direct buffers the cache keeps objects and events in; tests count them with it. It
   * must not recycle buffer objects (no pooled allocator): see {@link CachedObject#jsonBytes()}.
   */
  public WatchCache(ResourceType type, KeyValueStore store, ScheduledExecutorService scheduler, int historyCapacity,
                    long bookmarkIntervalMs, ByteBufAllocator allocator) {
    this.allocator = allocator;
    this.type = type;
    this.store = store;
    this.scheduler = scheduler;
    this.historyCapacity = historyCapacity;
    this.bookmarkIntervalMs = bookmarkIntervalMs;
  }

  public ResourceType type() {
    return type;
  }

  /** Lists the prefix and starts the store watch right after the list's revision. Idempotent. */
  public synchronized void start() {
    if (started || closed) {
      return;
    }
    byte[] prefix = type.collectionPrefix(null);
    RangeResponse response = StoreCalls.await(store.range(RangeRequest.prefix(prefix)));
    releaseAll();
    for (KeyValue kv : response.kvs()) {
      String key = new String(kv.key(), StandardCharsets.UTF_8);
      objects.put(key, cached(key, kv));
    }
    revision = response.revision();
    windowStart = revision;
    WatchRequest request = new WatchRequest(prefix, dev.tugboat.control.store.KeyRanges.prefixEnd(prefix),
        revision + 1, false, true, false, false);
    storeWatch = store.watch(request, this);
    started = true;
  }

  public void close() {
    Watch toCancel;
    synchronized (this) {
      closed = true;
      toCancel = storeWatch;
      for (Watcher watcher : List.copyOf(watchers)) {
        removeWatcher(watcher);
        watcher.sink().close();
      }
      releaseAll();
    }
    // Cancelled outside this cache's lock: the store delivers events holding its own lock and then takes this one.
    if (toCancel != null) {
      toCancel.cancel();
    }
  }

  /** Lets go of every object and change held: a restart's fresh list, or the cache closing. */
  private void releaseAll() {
    objects.values().forEach(CachedObject::release);
    objects.clear();
    history.forEach(Event::release);
    history.clear();
  }

  public synchronized long revision() {
    return revision;
  }

  // ---- store events ----

  @Override
  public void onEvents(long eventRevision, List<WatchEvent> events) {
    synchronized (this) {
      if (closed) {
        return;
      }
      for (WatchEvent event : events) {
        String key = new String(event.kv().key(), StandardCharsets.UTF_8);
        CachedObject previous = objects.get(key);
        Event change;
        if (event.type() == WatchEvent.Type.PUT) {
          CachedObject object = cached(key, event.kv());
          object.retain(); // one reference for the objects, one for the change in the history
          objects.put(key, object);
          change = new Event(previous == null ? "ADDED" : "MODIFIED", key, object, previous, eventRevision);
        } else {
          if (previous == null) {
            continue;
          }
          objects.remove(key);
          ObjectNode last = previous.tree();
          ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(eventRevision));
          change = new Event("DELETED", key, cached(last), previous, eventRevision);
        }
        if (previous != null) {
          previous.release(); // the objects' reference; a change in the history may still hold it
        }
        history.addLast(change);
        if (history.size() > historyCapacity) {
          Event oldest = history.removeFirst();
          windowStart = oldest.revision();
          oldest.release();
        }
        for (Iterator<Watcher> it = watchers.iterator(); it.hasNext(); ) {
          Watcher watcher = it.next();
          if (!watcher.deliver(change)) {
            it.remove();
            watcher.cancelTasks();
          }
        }
        change.dropEncoded();
      }
      advance(eventRevision);
    }
  }

  private CachedObject cached(ObjectNode object) {
    return cached(Codec.encode(object), object);
  }

  /** {@code tree} is the object with or without its resourceVersion (selectors do not look at it); not kept. */
  private CachedObject cached(byte[] json, ObjectNode tree) {
    return cached(json, Selection.labelsOf(tree), type.strategy().fields(tree));
  }

  private CachedObject cached(byte[] json, Map<String, String> labels, Map<String, String> fields) {
    return CachedObject.of(json, strings.canonicalMap(labels), strings.canonicalMap(fields), allocator);
  }

  /**
   * A stored object: its served JSON spliced from the stored bytes; its labels and fields from the write this server
   * said it was making when the bytes are those, else from the stored bytes' tree.
   */
  private CachedObject cached(String key, KeyValue kv) {
    ExpectedWrite write = expected.get(key);
    if (write != null && Arrays.equals(write.stored(), kv.value())) {
      // the same bytes, so the same splice: the writer's, if it made it first
      byte[] json = write.served(kv.modRevision());
      if (json != null) {
        expected.remove(key, write);
        return cached(json, write.labels(), write.fields());
      }
    }
    byte[] json = StoredJson.withResourceVersion(kv.value(), kv.modRevision());
    if (json == null) {
      return cached(Registry.decode(kv));
    }
    return cached(json, Codec.parseStored(kv.value()));
  }

  /**
   * Says that this server is about to store {@code stored} at {@code key}, {@code object} being its tree (read here,
   * not kept): when its event arrives the cache takes its labels and fields from here. The writer
   * {@link #forgetWrite forgets} it if the write fails.
   */
  public ExpectedWrite expectWrite(String key, byte[] stored, ObjectNode object) {
    if (expected.size() >= MAX_EXPECTED_WRITES) {
      expected.clear();
    }
    ExpectedWrite write = new ExpectedWrite(key, stored, Selection.labelsOf(object), type.strategy().fields(object));
    expected.put(key, write);
    return write;
  }

  public void forgetWrite(ExpectedWrite write) {
    expected.remove(write.key(), write);
  }

  @Override
  public void onProgress(long progressRevision) {
    synchronized (this) {
      advance(progressRevision);
    }
  }

  private void advance(long newRevision) {
    if (newRevision > revision) {
      revision = newRevision;
    }
    if (!pending.isEmpty()) {
      List<Pending> ready = new ArrayList<>();
      pending.removeIf(p -> p.revision <= revision && ready.add(p));
      ready.forEach(p -> p.action.run());
    }
  }

  @Override
  public void onCompacted(long compactRevision) {
    restart("store watch compacted at " + compactRevision);
  }

  @Override
  public void onClosed(Throwable cause) {
    restart("store watch closed: " + cause);
  }

  /** The store watch ended: end every API watch with 410 (clients re-list) and start over from a fresh list. */
  private void restart(String why) {
    restart(why, 100);
  }

  private void restart(String why, long delayMs) {
    synchronized (this) {
      if (closed) {
        return;
      }
      LOG.info("watch cache for {} restarts: {}", type.resource(), why);
      StatusError gone = StatusError.gone("watch cache for " + type.resource() + " restarted: " + why);
      for (Watcher watcher : List.copyOf(watchers)) {
        watcher.sendError(gone);
        removeWatcher(watcher);
        watcher.sink().close();
      }
      started = false;
    }
    scheduler.schedule(() -> {
      try {
        start();
      } catch (RuntimeException e) {
        LOG.warn("watch cache for {} failed to restart: {}", type.resource(), e.toString());
        restart("restart failed: " + e, Math.min(delayMs * 2, 5000));
      }
    }, delayMs, TimeUnit.MILLISECONDS);
  }

  // ---- list from memory ----

  /**
   * The object under {@code key} (its full store key) as this cache holds it now, or null. Its bytes are read through
   * {@link CachedObject#tree()}, which says when the cache has let go of them since.
   */
  public synchronized CachedObject get(String key) {
    if (!started) {
      start();
    }
    return objects.get(key);
  }

  /**
   * Calls {@code into} with each matching object in key order, under this cache's lock (a consumer that keeps the
   * bytes takes {@link CachedObject#retainedJson()}); returns the revision the list reflects.
   */
  public synchronized long list(String namespace, Selection selection, Consumer<CachedObject> into) {
    if (!started) {
      start();
    }
    String prefix = new String(type.collectionPrefix(namespace), StandardCharsets.UTF_8);
    for (Map.Entry<String, CachedObject> entry : objects.tailMap(prefix, true).entrySet()) {
      if (!entry.getKey().startsWith(prefix)) {
        break;
      }
      if (entry.getValue().matches(selection)) {
        into.accept(entry.getValue());
      }
    }
    return revision;
  }

  /**
   * Waits until this cache reflects at least {@code needed} (a revision the store has applied), so that a list from
   * it is as fresh as a read of the store (Kubernetes' consistent list from cache). False if it did not get there
   * within {@code timeoutMs}: the caller reads the store instead.
   */
  public boolean awaitRevision(long needed, long timeoutMs) {
    CompletableFuture<Void> ready = new CompletableFuture<>();
    Pending wait = new Pending(needed, () -> ready.complete(null));
    synchronized (this) {
      if (!started) {
        start();
      }
      if (needed <= revision) {
        return true;
      }
      pending.add(wait);
      if (storeWatch != null) {
        // the store's newest revision may belong to another resource: a progress notification moves us to it
        storeWatch.requestProgress();
      }
    }
    try {
      ready.get(timeoutMs, TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      synchronized (this) {
        pending.remove(wait);
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StatusError.serviceUnavailable("interrupted while waiting for the watch cache of " + type.resource());
    }
  }

  // ---- watch ----

  /** What an API watch asks for. {@code fromRevision} null means "current state first, then changes". */
  public record WatchSpec(String namespace, Selection selection, Long fromRevision, boolean bookmarks,
                          boolean initialEventsEndBookmark, long timeoutSeconds, EventEncoder encoder) {}

  /**
   * Starts an API watch. The future completes with null once the watcher is registered (events may flow already),
   * or fails with a {@link StatusError} (410 too old, 504 too new).
   */
  public CompletableFuture<Void> watch(WatchSpec spec, WatchSink sink) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    synchronized (this) {
      if (!started) {
        start();
      }
      // a watch from a revision needs the cache at that revision; one from "now" (initial state first) needs it as
      // fresh as a consistent read, so a client never misses what it just wrote; the store may be ahead of this
      // cache by a few in-flight events
      Long from = spec.fromRevision();
      long needed = from != null ? from : store.currentRevision();
      if (needed > revision) {
        Pending wait = new Pending(needed, () -> register(spec, sink, result));
        pending.add(wait);
        if (storeWatch != null) {
          storeWatch.requestProgress();
        }
        scheduler.schedule(() -> expirePending(wait, spec, sink, result), FUTURE_REVISION_WAIT_MS,
            TimeUnit.MILLISECONDS);
        return result;
      }
      register(spec, sink, result);
    }
    return result;
  }

  private void expirePending(Pending wait, WatchSpec spec, WatchSink sink, CompletableFuture<Void> result) {
    synchronized (this) {
      if (!pending.remove(wait)) {
        return;
      }
      if (wait.revision() <= store.currentRevision()) {
        // the store has applied that revision and nothing of this resource arrived since: we are current
        advance(wait.revision());
        register(spec, sink, result);
        return;
      }
      result.completeExceptionally(StatusError.timeout("Too large resource version: " + wait.revision()
          + ", current: " + revision));
    }
  }

  private void register(WatchSpec spec, WatchSink sink, CompletableFuture<Void> result) {
    Long from = spec.fromRevision();
    long compacted = store.compactRevision();
    if (from != null && (from < windowStart || from < compacted)) {
      result.completeExceptionally(StatusError.gone("too old resource version: " + from + " ("
          + Math.max(windowStart, compacted) + ")"));
      return;
    }
    String prefix = new String(type.collectionPrefix(spec.namespace()), StandardCharsets.UTF_8);
    Watcher watcher = new Watcher(this, type, prefix, spec.selection(), sink, spec.encoder(), allocator);
    boolean alive = true;
    if (from == null) {
      for (Map.Entry<String, CachedObject> entry : objects.tailMap(prefix, true).entrySet()) {
        if (!entry.getKey().startsWith(prefix)) {
          break;
        }
        if (entry.getValue().matches(spec.selection()) && !watcher.send("ADDED", entry.getValue())) {
          alive = false;
          break;
        }
      }
      if (alive && spec.initialEventsEndBookmark()) {
        alive = watcher.sendBookmark(revision, true);
      }
    } else {
      for (Event event : history) {
        if (event.revision() > from) {
          boolean delivered = watcher.deliver(event);
          event.dropEncoded();
          if (!delivered) {
            alive = false;
            break;
          }
        }
      }
    }
    result.complete(null);
    if (!alive) {
      return;
    }
    watchers.add(watcher);
    sink.onClientGone(() -> {
      synchronized (WatchCache.this) {
        removeWatcher(watcher);
      }
    });
    if (spec.timeoutSeconds() > 0) {
      watcher.timeout = scheduler.schedule(() -> {
        synchronized (WatchCache.this) {
          removeWatcher(watcher);
        }
        sink.close();
      }, spec.timeoutSeconds(), TimeUnit.SECONDS);
    }
    if (spec.bookmarks() && bookmarkIntervalMs > 0) {
      watcher.bookmarks = scheduler.scheduleAtFixedRate(() -> {
        synchronized (WatchCache.this) {
          if (watchers.contains(watcher) && !watcher.sendBookmark(revision, false)) {
            removeWatcher(watcher);
          }
        }
      }, bookmarkIntervalMs, bookmarkIntervalMs, TimeUnit.MILLISECONDS);
    }
  }

  private void removeWatcher(Watcher watcher) {
    watchers.remove(watcher);
    watcher.cancelTasks();
  }

  /** How many API watchers this cache serves now. */
  public synchronized int watcherCount() {
    return watchers.size();
  }
}
