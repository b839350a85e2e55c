package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.watchcache.CachedObject;
import dev.tugboat.control.apiserver.resources.watchcache.WatchCache;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import java.nio.charset.StandardCharsets;
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

  private final KeyValueStore store;
  private final String namespacePrefix;
  private final WatchCache cache;
  private final AtomicLong lastWrite = new AtomicLong();

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
    ObjectNode ns = cached(namespace);
    if (ns == null) {
      RangeResponse response = StoreCalls.await(store.range(
          RangeRequest.key((namespacePrefix + namespace).getBytes(StandardCharsets.UTF_8))));
      if (response.kvs().isEmpty()) {
        throw StatusError.notFound("", "namespaces", namespace);
      }
      ns = type.kind().equals("Event") ? null : Codec.parseStored(response.kvs().get(0).value());
    }
    if (type.kind().equals("Event")) {
      return;
    }
    if (Tree.isPresent(Tree.at(ns, "metadata", "deletionTimestamp"))
        || "Terminating".equals(Tree.text(ns, "status", "phase"))) {
      throw StatusError.forbidden(type.group(), type.resource(), name,
          StatusError.groupResource(type.group(), type.resource()) + " \"" + (name == null ? "" : name)
              + "\" is forbidden: unable to create new content in namespace " + namespace
              + " because it is being terminated");
    }
  }

  /** The namespace as the cache holds it, once the cache has this server's last namespace write; else null. */
  private ObjectNode cached(String namespace) {
    if (cache == null || !cache.awaitRevision(lastWrite.get(), CACHE_WAIT_MS)) {
      return null;
    }
    CachedObject object = cache.get(namespacePrefix + namespace);
    return object == null ? null : object.tree();
  }
}
