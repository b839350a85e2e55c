package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.StatusError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What kube-apiserver gives its own controllers as a loopback client: the resource layer called in this process,
 * as {@code user}, with no HTTP in between (authorization is the transport's, so it does not apply here). Answers
 * are JSON trees; a failure is the {@link StatusError} the API would have sent.
 */
public final class LoopbackClient {

  private static final JsonMapper JSON = JsonMapper.shared();
  private static final String JSON_TYPE = "application/json";
  private static final String MERGE_PATCH = "application/merge-patch+json";

  private final ResourceApi api;
  private final UserInfo user;

  public LoopbackClient(ResourceApi api, UserInfo user) {
    this.api = api;
    this.user = user;
  }

  public JsonNode get(String group, String version, String resource, String namespace, String name) {
    return call("get", group, version, resource, null, namespace, name, Map.of(), null, null);
  }

  /** The items of a list ({@code fieldSelector} may be null). */
  public List<JsonNode> list(String group, String version, String resource, String namespace, String fieldSelector) {
    Map<String, List<String>> query = fieldSelector == null ? Map.of()
        : Map.of("fieldSelector", List.of(fieldSelector));
    JsonNode list = call("list", group, version, resource, null, namespace, null, query, null, null);
    List<JsonNode> items = new ArrayList<>();
    list.path("items").forEach(items::add);
    return items;
  }

  public JsonNode create(String group, String version, String resource, String subresource, String namespace,
      String name, JsonNode body) {
    return call("create", group, version, resource, subresource, namespace, name, Map.of(), JSON_TYPE,
        JSON.writeValueAsBytes(body));
  }

  /** A JSON merge patch of the object or of its {@code subresource} (status). */
  public JsonNode mergePatch(String group, String version, String resource, String subresource, String namespace,
      String name, JsonNode patch) {
    return call("patch", group, version, resource, subresource, namespace, name, Map.of(), MERGE_PATCH,
        JSON.writeValueAsBytes(patch));
  }

  /** Deletes an object; {@code propagationPolicy} (Background, Foreground, Orphan) may be null for the default. */
  public JsonNode delete(String group, String version, String resource, String namespace, String name,
      String propagationPolicy) {
    Map<String, List<String>> query = propagationPolicy == null ? Map.of()
        : Map.of("propagationPolicy", List.of(propagationPolicy));
    return call("delete", group, version, resource, null, namespace, name, query, null, null);
  }

  /**
   * Watches a collection from now on; {@code onEvent} gets each event's type and object. The watch ends when
   * {@code onEvent} returns false or the resource layer ends it (then {@code onEnd} runs).
   */
  public void watch(String group, String version, String resource, String fieldSelector, WatchHandler handler) {
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("watch", List.of("true"));
    if (fieldSelector != null) query.put("fieldSelector", List.of(fieldSelector));
    ApiRequest request = new ApiRequest("watch", group, version, resource, null, null, null, query, null, JSON_TYPE,
        new byte[0], user);
    api.watch(request, new WatchSink() {
      private volatile boolean open = true;

      @Override
      public boolean send(byte[] watchEventJson) {
        JsonNode event = JSON.readTree(watchEventJson);
        open = open && handler.onEvent(event.path("type").asString(""), event.path("object"));
        return open;
      }

      @Override
      public void close() {
        handler.onEnd();
      }

      @Override
      public void onClientGone(Runnable action) {
        // the handler ends the watch by returning false from onEvent
      }
    }).whenComplete((failure, error) -> {
      if (error != null || failure != null) handler.onEnd();
    });
  }

  /** Receives a watch's events. */
  public interface WatchHandler {
    /** @return false to stop watching */
    boolean onEvent(String type, JsonNode object);

    void onEnd();
  }

  private JsonNode call(String verb, String group, String version, String resource, String subresource,
      String namespace, String name, Map<String, List<String>> query, String contentType, byte[] body) {
    ApiRequest request = new ApiRequest(verb, group, version, resource, subresource, namespace, name, query,
        contentType, JSON_TYPE, body == null ? new byte[0] : body, user);
    ApiResponse response;
    try {
      response = api.handle(request).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof StatusError status) throw status;
      throw e;
    }
    JsonNode tree = response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
    if (response.status() >= 300) {
      throw new StatusError(response.status(), tree.path("reason").asString(""),
          tree.path("message").asString(new String(response.body(), StandardCharsets.UTF_8)), null);
    }
    return tree;
  }
}
