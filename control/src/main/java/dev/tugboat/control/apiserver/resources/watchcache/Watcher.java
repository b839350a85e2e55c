package dev.tugboat.control.apiserver.resources.watchcache;

import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.Codec;
import dev.tugboat.control.apiserver.resources.ResourceType;
import dev.tugboat.control.apiserver.resources.StatusError;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import io.netty.buffer.ByteBufAllocator;
import java.util.concurrent.ScheduledFuture;
import tools.jackson.databind.node.ObjectNode;

/**
 * One API watch served by a {@link WatchCache}: its namespace and selectors, where its events go, and its timers.
 * Used only under the cache's lock.
 */
final class Watcher {

  private final WatchCache cache;
  private final ResourceType type;
  private final String keyPrefix;
  private final Selection selection;
  private final WatchSink sink;
  private final EventEncoder encoder;
  private final ByteBufAllocator allocator;
  ScheduledFuture<?> timeout;
  ScheduledFuture<?> bookmarks;

  Watcher(WatchCache cache, ResourceType type, String keyPrefix, Selection selection, WatchSink sink,
          EventEncoder encoder, ByteBufAllocator allocator) {
    this.cache = cache;
    this.type = type;
    this.keyPrefix = keyPrefix;
    this.selection = selection;
    this.sink = sink;
    this.encoder = encoder;
    this.allocator = allocator;
  }

  WatchSink sink() {
    return sink;
  }

  /**
   * Sends {@code event} as this watcher sees it: an object moving into the selection is ADDED, one moving out is
   * DELETED, as Kubernetes reports them. False once the client has gone.
   */
  boolean deliver(WatchCache.Event event) {
    if (!event.key().startsWith(keyPrefix)) {
      return true;
    }
    boolean before = event.previous() != null && event.previous().matches(selection);
    switch (event.type()) {
      case "DELETED":
        return !before || send("DELETED", event);
      case "ADDED":
        return !event.object().matches(selection) || send("ADDED", event);
      default:
        boolean now = event.object().matches(selection);
        if (now) {
          return send(before ? "MODIFIED" : "ADDED", event);
        }
        return !before || send("DELETED", event);
    }
  }

  private boolean send(String eventType, WatchCache.Event event) {
    if (encoder == EventEncoder.OBJECT) {
      // the line every watcher that sees the change so shares: this sink gets a reference, no copy
      return sink.send(event.encoded(eventType, allocator).retainedDuplicate());
    }
    return send(eventType, event.object());
  }

  /** Sends {@code object} as an event of {@code eventType}; the object must be held (the cache's lock). */
  boolean send(String eventType, CachedObject object) {
    if (encoder == EventEncoder.OBJECT) {
      return sink.send(EventEncoder.wrapLine(eventType, object.json(), allocator));
    }
    byte[] json = object.jsonBytes();
    return sink.send(encoder.encode(eventType, Codec.parseStored(json), json));
  }

  boolean sendBookmark(long revision, boolean initialEventsEnd) {
    ObjectNode object = Codec.NODES.objectNode();
    object.put("kind", type.kind());
    object.put("apiVersion", type.apiVersion());
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("resourceVersion", Long.toString(revision));
    if (initialEventsEnd) {
      metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
    }
    return sink.send(EventEncoder.wrap("BOOKMARK", Codec.encode(object)));
  }

  void sendError(StatusError error) {
    sink.send(EventEncoder.wrap("ERROR", Codec.encode(error.toStatus())));
  }

  void cancelTasks() {
    if (timeout != null) {
      timeout.cancel(false);
    }
    if (bookmarks != null) {
      bookmarks.cancel(false);
    }
  }
}
