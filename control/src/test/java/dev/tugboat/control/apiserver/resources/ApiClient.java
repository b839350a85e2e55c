package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Test harness: the resource layer over a real in-memory MVCC store, called the way the transport calls it, with
 * requests written as {@code verb, path-ish parts, query, body}.
 */
final class ApiClient implements AutoCloseable {

  static final UserInfo ADMIN = new UserInfo("admin", List.of("system:masters"));

  final MvccKeyValueStore store;
  final Resources api;

  ApiClient() {
    this(Resources.Options.defaults());
  }

  ApiClient(Resources.Options options) {
    this.store = MvccKeyValueStore.inMemory(Duration.ofMillis(200));
    this.api = Resources.over(store, Clock.systemUTC(), options);
  }

  /** A response with its parsed body. */
  record Reply(int status, JsonNode body) {
    String reason() {
      return body.path("reason").asString("");
    }

    String message() {
      return body.path("message").asString("");
    }

    String resourceVersion() {
      return body.path("metadata").path("resourceVersion").asString("");
    }
  }

  static final class Call {
    String verb;
    String group = "";
    String version = "v1";
    String resource;
    String subresource;
    String namespace;
    String name;
    final Map<String, List<String>> query = new HashMap<>();
    String contentType = "application/json";
    String accept = "application/json";
    byte[] body;

    Call q(String key, String value) {
      query.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
      return this;
    }

    Call body(String json) {
      this.body = json.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    Call body(JsonNode json) {
      this.body = Codec.encode(json);
      return this;
    }

    Call contentType(String type) {
      this.contentType = type;
      return this;
    }

    Call accept(String type) {
      this.accept = type;
      return this;
    }

    Call sub(String subresource) {
      this.subresource = subresource;
      return this;
    }

    ApiRequest request() {
      return new ApiRequest(verb, group, version, resource, subresource, namespace, name, query, contentType, accept,
          body, ADMIN);
    }
  }

  static Call call(String verb, String resource, String namespace, String name) {
    Call call = new Call();
    call.verb = verb;
    String[] parts = resource.split("/");
    if (parts.length == 3) {
      call.group = parts[0];
      call.version = parts[1];
      call.resource = parts[2];
    } else {
      call.resource = resource;
    }
    call.namespace = namespace;
    call.name = name;
    return call;
  }

  Reply send(Call call) {
    ApiResponse response = api.handle(call.request()).join();
    return new Reply(response.status(), Codec.JSON.readTree(response.body()));
  }

  Reply create(String resource, String namespace, String json) {
    return send(call("create", resource, namespace, null).body(json));
  }

  Reply get(String resource, String namespace, String name) {
    return send(call("get", resource, namespace, name));
  }

  Reply update(String resource, String namespace, String name, JsonNode body) {
    return send(call("update", resource, namespace, name).body(body));
  }

  Reply delete(String resource, String namespace, String name) {
    return send(call("delete", resource, namespace, name));
  }

  Reply list(String resource, String namespace) {
    return send(call("list", resource, namespace, null));
  }

  Reply patch(String resource, String namespace, String name, String type, String json) {
    return send(call("patch", resource, namespace, name).contentType(type).body(json));
  }

  /** A watch sink that queues events for the test to take. */
  static final class Events implements WatchSink {
    final LinkedBlockingQueue<JsonNode> queue = new LinkedBlockingQueue<>();
    volatile boolean closed;
    volatile Runnable onGone;
    volatile boolean gone;

    @Override
    public boolean send(byte[] watchEventJson) {
      if (gone) {
        return false;
      }
      queue.add(Codec.JSON.readTree(watchEventJson));
      return true;
    }

    @Override
    public void close() {
      closed = true;
    }

    @Override
    public void onClientGone(Runnable action) {
      onGone = action;
    }

    void disconnect() {
      gone = true;
      if (onGone != null) {
        onGone.run();
      }
    }

    /** The next event; fails the test if none comes within a generous bound. */
    JsonNode next() {
      try {
        JsonNode event = queue.poll(20, TimeUnit.SECONDS);
        if (event == null) {
          throw new AssertionError("no watch event arrived");
        }
        return event;
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }

    /** The next event that is not a BOOKMARK. */
    JsonNode nextChange() {
      while (true) {
        JsonNode event = next();
        if (!event.path("type").asString("").equals("BOOKMARK")) {
          return event;
        }
      }
    }

    /** Waits (within a generous bound) until the watch has been closed; false if it never was. */
    boolean awaitClosed() {
      try {
        for (int i = 0; i < 400 && !closed; i++) {
          TimeUnit.MILLISECONDS.sleep(50);
        }
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      return closed;
    }

    List<JsonNode> drain() {
      List<JsonNode> events = new ArrayList<>();
      queue.drainTo(events);
      return events;
    }
  }

  /** Starts a watch; returns the error response, or null when it started. */
  Reply watch(Call call, Events sink) {
    ApiResponse response = api.watch(call.request(), sink).join();
    return response == null ? null : new Reply(response.status(), Codec.JSON.readTree(response.body()));
  }

  static ObjectNode json(String text) {
    return (ObjectNode) Codec.JSON.readTree(text);
  }

  @Override
  public void close() {
    api.close();
    store.close();
  }
}
