package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.WatchSink;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tiny real resource layer for transport tests: namespaces (cluster-scoped) and configmaps (namespaced, in group
 * "" as in Kubernetes) kept in memory, with get, list, create, delete and watch. Not Kubernetes' storage semantics;
 * only enough to drive the transport end to end with kubectl.
 */
final class InMemoryNamespaces implements ResourceApi {

  private static final JsonMapper JSON = JsonMapper.shared();
  private final Map<String, ObjectNode> objects = new TreeMap<>();
  private final List<WatchSink> watchers = new CopyOnWriteArrayList<>();
  private long resourceVersion = 1;

  InMemoryNamespaces() {
    put("namespaces", null, "default");
    put("namespaces", null, "kube-system");
  }

  @Override
  public List<ResourceInfo> resources() {
    return List.of(
        new ResourceInfo("", "v1", "namespaces", "namespace", "Namespace", false,
            List.of("create", "delete", "get", "list", "patch", "update", "watch"), List.of("ns"), List.of(), List.of("status", "finalize")),
        new ResourceInfo("", "v1", "configmaps", "configmap", "ConfigMap", true,
            List.of("create", "delete", "get", "list", "watch"), List.of("cm"), List.of(), List.of()),
        new ResourceInfo("apps", "v1", "deployments", "deployment", "Deployment", true,
            List.of("get", "list"), List.of("deploy"), List.of("all"), List.of("status", "scale")));
  }

  @Override
  public synchronized CompletableFuture<ApiResponse> handle(ApiRequest request) {
    String key = key(request.resource(), request.namespace(), request.name());
    switch (request.verb()) {
      case "get" -> {
        ObjectNode object = objects.get(key);
        return CompletableFuture.completedFuture(object == null ? notFound(request) : ok(200, object));
      }
      case "list" -> {
        ObjectNode list = JSON.createObjectNode();
        list.put("kind", kindOf(request.resource()) + "List");
        list.put("apiVersion", "v1");
        list.putObject("metadata").put("resourceVersion", String.valueOf(resourceVersion));
        var items = list.putArray("items");
        objects.forEach((k, v) -> {
          if (k.startsWith(request.resource() + "/")
              && (request.namespace() == null || k.startsWith(request.resource() + "/" + request.namespace() + "/"))) {
            items.add(v);
          }
        });
        return CompletableFuture.completedFuture(ok(200, list));
      }
      case "create" -> {
        JsonNode body = JSON.readTree(request.body());
        String name = body.path("metadata").path("name").asString();
        ObjectNode created = put(request.resource(), request.namespace(), name);
        return CompletableFuture.completedFuture(ok(201, created));
      }
      case "delete" -> {
        ObjectNode removed = objects.remove(key);
        if (removed != null) {
          notifyWatchers("DELETED", removed);
        }
        return CompletableFuture.completedFuture(removed == null ? notFound(request) : ok(200, removed));
      }
      default -> {
        return CompletableFuture.completedFuture(new ApiResponse(405, "application/json", "{}".getBytes()));
      }
    }
  }

  @Override
  public synchronized CompletableFuture<ApiResponse> watch(ApiRequest request, WatchSink sink) {
    objects.forEach((k, v) -> {
      if (k.startsWith(request.resource() + "/")) {
        sink.send(event("ADDED", v));
      }
    });
    watchers.add(sink);
    sink.onClientGone(() -> watchers.remove(sink));
    return CompletableFuture.completedFuture(null);
  }

  /** Creates a namespace carrying an annotation of {@code padding} characters, to make large watch events. */
  synchronized void createNamespace(String name, int padding) {
    ObjectNode object = put("namespaces", null, name);
    ((ObjectNode) object.get("metadata")).putObject("annotations").put("padding", "x".repeat(padding));
    notifyWatchers("MODIFIED", object);
  }

  int watcherCount() {
    return watchers.size();
  }

  private ObjectNode put(String resource, String namespace, String name) {
    ObjectNode object = JSON.createObjectNode();
    object.put("kind", kindOf(resource));
    object.put("apiVersion", "v1");
    ObjectNode metadata = object.putObject("metadata");
    metadata.put("name", name);
    if (namespace != null) {
      metadata.put("namespace", namespace);
    }
    metadata.put("resourceVersion", String.valueOf(++resourceVersion));
    metadata.put("creationTimestamp", "2026-01-01T00:00:00Z");
    objects.put(key(resource, namespace, name), object);
    notifyWatchers("ADDED", object);
    return object;
  }

  private void notifyWatchers(String type, ObjectNode object) {
    for (WatchSink sink : watchers) {
      if (!sink.send(event(type, object))) {
        watchers.remove(sink);
      }
    }
  }

  private static byte[] event(String type, ObjectNode object) {
    ObjectNode event = JSON.createObjectNode();
    event.put("type", type);
    event.set("object", object);
    return JSON.writeValueAsBytes(event);
  }

  private static String kindOf(String resource) {
    return resource.equals("namespaces") ? "Namespace" : "ConfigMap";
  }

  private static String key(String resource, String namespace, String name) {
    return resource + "/" + (namespace == null ? "" : namespace) + "/" + name;
  }

  private static ApiResponse ok(int status, ObjectNode object) {
    return new ApiResponse(status, "application/json", JSON.writeValueAsBytes(object));
  }

  private static ApiResponse notFound(ApiRequest request) {
    ObjectNode status = JSON.createObjectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", request.resource() + " \"" + request.name() + "\" not found");
    status.put("reason", "NotFound");
    status.put("code", 404);
    return new ApiResponse(404, "application/json", JSON.writeValueAsBytes(status));
  }
}
