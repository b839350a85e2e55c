package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.watchcache.CachedObject;
import dev.tugboat.control.apiserver.resources.watchcache.WatchCache;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kubernetes' NamespaceLifecycle admission: new objects go only into namespaces that exist and are not terminating
 * (events excepted, so the deletion itself can be reported).
 *
 * <p>Namespaces are looked up in their watch cache, as kube-apiserver looks them up in its informer: a linearizable
 * read of the store waits a Raft round (behind the fsync in progress), which was a third of a pod create under load.
 * The cache is first brought up to the last namespace write this server made, so a client that has just created,
 * deleted or finalized a namespace here sees that; a namespace the cache does not know is read from the store, as
 * one created through another API server may not have reached the cache yet.
 */
public final class NamespaceLifecycle {

  /** How long a check waits for the cache to reach this server's last namespace write before reading the store. */
  private static final long CACHE_WAIT_MS = 1000;
  /** Namespaces whose answer is remembered; past this many the memory is cleared (names of deleted ones linger). */
  private static final int MAX_REMEMBERED = 4096;

  private final KeyValueStore store;
  private final String namespacePrefix;
  private final WatchCache cache;
  private final AtomicLong lastWrite = new AtomicLong();
  /**
   * Whether a namespace is terminating, as read from the cached object it was read from: the cache replaces that
   * object on every change of the namespace, so the answer holds while the cache still holds the same object.
   * Parsing the namespace's JSON for every create was 3.1 of the 43.4 KB the resource layer allocated per pod create
   * (7%; the server's JFR agreed: 6.5% of all it allocated in tug bench apiserver).
   */
  private final Map<String, Admission> remembered = new ConcurrentHashMap<>();

  private record Admission(CachedObject source, boolean terminating) {}

  /** {@code cache} is the namespaces' watch cache, or null to read every namespace from the store. */
  public NamespaceLifecycle(KeyValueStore store, String namespacePrefix, WatchCache cache) {
    this.store = store;
    this.namespacePrefix = namespacePrefix;
    this.cache = cache;
  }

  /** A namespace was written through this server at {@code revision}: later checks see at least that. */
  void written(long revision) {
    lastWrite.accumulateAndGet(revision, Math::max);
  }

  public void admitCreate(ResourceType type, String namespace, String name) {
    boolean event = type.kind().equals("Event");
    CachedObject cached = cached(namespace);
    Boolean fromCache = cached == null ? null : event ? Boolean.FALSE : terminating(namespace, cached);
    boolean terminating;
    if (fromCache != null) {
      terminating = fromCache;
    } else {
      RangeResponse response = StoreCalls.await(store.range(
          RangeRequest.key((namespacePrefix + namespace).getBytes(StandardCharsets.UTF_8))));
      if (response.kvs().isEmpty()) {
        throw StatusError.notFound("", "namespaces", namespace);
      }
      terminating = !event && terminating(Codec.parseStored(response.kvs().get(0).value()));
    }
    if (terminating) {
      throw StatusError.forbidden(type.group(), type.resource(), name,
          StatusError.groupResource(type.group(), type.resource()) + " \"" + (name == null ? "" : name)
              + "\" is forbidden: unable to create new content in namespace " + namespace
              + " because it is being terminated");
    }
  }

  /** Null when the cache has let go of {@code cached} since it was read: the caller reads the store. */
  private Boolean terminating(String namespace, CachedObject cached) {
    Admission known = remembered.get(namespace);
    if (known != null && known.source() == cached) {
      return known.terminating();
    }
    ObjectNode tree = cached.tree();
    if (tree == null) {
      return null;
    }
    boolean terminating = terminating(tree);
    if (remembered.size() >= MAX_REMEMBERED) {
      remembered.clear();
    }
    remembered.put(namespace, new Admission(cached, terminating));
    return terminating;
  }

  private static boolean terminating(ObjectNode namespace) {
    return Tree.isPresent(Tree.at(namespace, "metadata", "deletionTimestamp"))
        || "Terminating".equals(Tree.text(namespace, "status", "phase"));
  }

  /** The namespace as the cache holds it, once the cache has this server's last namespace write; else null. */
  private CachedObject cached(String namespace) {
    if (cache == null || !cache.awaitRevision(lastWrite.get(), CACHE_WAIT_MS)) {
      return null;
    }
    return cache.get(namespacePrefix + namespace);
  }
}
