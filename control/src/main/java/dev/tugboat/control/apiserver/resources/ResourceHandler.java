package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.kinds.PodStrategy;
import dev.tugboat.control.apiserver.resources.patch.JsonMergePatch;
import dev.tugboat.control.apiserver.resources.patch.JsonPatch;
import dev.tugboat.control.apiserver.resources.patch.PatchException;
import dev.tugboat.control.apiserver.resources.patch.PatchSchema;
import dev.tugboat.control.apiserver.resources.patch.StrategicMergePatch;
import dev.tugboat.control.apiserver.resources.selection.FieldSelector;
import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import dev.tugboat.control.apiserver.resources.selection.SelectorException;
import dev.tugboat.control.apiserver.resources.table.TableConvertor;
import dev.tugboat.control.apiserver.resources.watchcache.EventEncoder;
import dev.tugboat.control.apiserver.resources.watchcache.WatchCache;
import dev.tugboat.control.store.StoreException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resource layer's entry point: routes each {@link ApiRequest} to the registry of its resource and turns the
 * outcome (an object, a list, a Table or a {@link StatusError}) into a response. Requests run on the resource layer's
 * own workers, never on the transport's threads: reads wait for the store there; writes (create, update, patch,
 * delete) return once proposed, and their answers are finished on the caller's completions executor once committed.
 */
final class ResourceHandler implements ResourceApi {

  private static final Logger LOG = LoggerFactory.getLogger(ResourceHandler.class);
  private static final String JSON = "application/json";

  /** Set while a worker serves a request the transport handed over: handle() then answers on that thread. */
  private static final ThreadLocal<Boolean> ON_WORKER = ThreadLocal.withInitial(() -> false);

  private final Map<String, Registry> registries;
  private final List<ResourceInfo> infos;
  private final ExecutorService workers;
  /** Where answers are finished for callers that give no executor of their own (see {@link #handle(ApiRequest)}). */
  private final Executor afterStore;
  private final Clock clock;

  ResourceHandler(Map<String, Registry> registries, ExecutorService workers, Executor afterStore, Clock clock) {
    this.registries = registries;
    this.workers = workers;
    this.afterStore = afterStore;
    this.clock = clock;
    List<ResourceInfo> list = new ArrayList<>();
    registries.values().forEach(r -> list.add(r.type().info()));
    this.infos = List.copyOf(list);
  }

  static String routeKey(String group, String version, String resource) {
    return (group == null ? "" : group) + "/" + version + "/" + resource;
  }

  @Override
  public List<ResourceInfo> resources() {
    return infos;
  }

  /**
   * For callers in the same process (controllers, the node authorizer, the kubelet proxy): the answer is finished on
   * the resource layer's after-store threads, not on the thread that completed the store's future, which is the Raft
   * thread every commit waits for.
   */
  @Override
  public CompletableFuture<ApiResponse> handle(ApiRequest request) {
    return handle(request, afterStore);
  }

  @Override
  public CompletableFuture<ApiResponse> handle(ApiRequest request, Executor completions) {
    if (ON_WORKER.get()) {
      return respond(request, completions);
    }
    try {
      return CompletableFuture.supplyAsync(() -> respond(request, completions), workers).thenCompose(answer -> answer);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return CompletableFuture.completedFuture(error(StatusError.serviceUnavailable("the API server is shutting "
          + "down")));
    }
  }

  @Override
  public Executor requestExecutor() {
    return task -> workers.execute(() -> {
      ON_WORKER.set(true);
      try {
        task.run();
      } finally {
        ON_WORKER.set(false);
      }
    });
  }

  /** Serves a request: at once, or (a write) once the store has committed it; never fails, errors are responses. */
  CompletableFuture<ApiResponse> respond(ApiRequest request, Executor completions) {
    CompletableFuture<ApiResponse> answer;
    try {
      answer = dispatch(request, completions);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failure(request, e));
    }
    if (answer.isDone() && !answer.isCompletedExceptionally()) {
      return answer;
    }
    return answer.handle((response, failure) -> failure == null ? response : failure(request, failure));
  }

  /** The response to a request that failed with {@code e}: its Status, or 500 for what no Status was made for. */
  private static ApiResponse failure(ApiRequest request, Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof StatusError status) {
      return error(status);
    }
    if (cause instanceof SelectorException selector) {
      return error(StatusError.badRequest(selector.getMessage()));
    }
    if (cause instanceof StoreException) {
      return error((StatusError) StoreCalls.translate(cause));
    }
    LOG.warn("{} {} {}/{}: {}", request.verb(), request.resource(), request.namespace(), request.name(), cause, cause);
    return error(StatusError.internal(cause.toString()));
  }

  private static CompletableFuture<ApiResponse> done(ApiResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  static ApiResponse error(StatusError e) {
    return new ApiResponse(e.code(), JSON, Codec.encode(e.toStatus()));
  }

  private static ApiResponse ok(int status, JsonNode body) {
    return new ApiResponse(status, JSON, Codec.encode(body));
  }

  private Registry registry(ApiRequest request) {
    Registry registry = registries.get(routeKey(request.group(), request.version(), request.resource()));
    if (registry == null) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource", null);
    }
    if (registry.type().namespaced() && request.name() != null && request.namespace() == null) {
      throw StatusError.badRequest("a namespace is required to address " + request.resource() + " by name");
    }
    String subresource = request.subresource();
    if (subresource != null && !subresource.isEmpty() && !registry.type().hasSubresource(subresource)) {
      throw new StatusError(404, "NotFound", "the server could not find the requested resource ("
          + request.resource() + "/" + subresource + ")", null);
    }
    return registry;
  }

  private CompletableFuture<ApiResponse> dispatch(ApiRequest request, Executor completions) {
    Registry registry = registry(request);
    ResourceType type = registry.type();
    String subresource = request.subresource() == null || request.subresource().isEmpty() ? null
        : request.subresource();
    String namespace = type.namespaced() ? request.namespace() : null;
    String name = request.name();
    boolean dryRun = dryRun(request);
    if (subresource != null && List.of("log", "exec", "attach", "portforward").contains(subresource)) {
      throw StatusError.serviceUnavailable(type.resource() + "/" + subresource + " for \"" + name + "\" is served by"
          + " the pod's node agent through the API server's transport, not by the resource layer");
    }
    switch (request.verb()) {
      case "get": {
        // decoded and encoded on an after-store thread once the store has read it: no worker waits for the read
        return registry.getAsync(namespace, name).thenApply(object -> "scale".equals(subresource)
            ? ok(200, Scales.of(object)) : asTableOrObject(request, type, object));
      }
      case "list": {
        long limit = parseLong(request.queryParam("limit"), "limit");
        ObjectList list = registry.list(namespace, selection(request, type), request.queryParam("resourceVersion"),
            request.queryParam("resourceVersionMatch"), limit, request.queryParam("continue"));
        if (wantsTable(request)) {
          return done(ok(200, TableConvertor.forType(type).table(list.tree(), includeObject(request), clock.instant())));
        }
        return done(new ApiResponse(200, JSON, list.encode()));
      }
      case "create": {
        if ("binding".equals(subresource)) {
          return done(bind(registry, namespace, name, Codec.decodeBody(request.body(), request.contentType()), dryRun));
        }
        if ("eviction".equals(subresource)) {
          return done(evict(registry, namespace, name, Codec.decodeBody(request.body(), request.contentType()), dryRun));
        }
        if (subresource != null) {
          throw StatusError.methodNotAllowed("create is not supported on " + type.resource() + "/" + subresource);
        }
        ObjectNode object = Codec.decodeBody(request.body(), request.contentType());
        TypedCheck.check(type, object);
        String into = namespace;
        if (type.namespaced() && (into == null || into.isEmpty())) {
          into = Tree.text(object, "metadata", "namespace");
          if (into == null || into.isEmpty()) {
            throw StatusError.badRequest("a namespace is required to create " + type.resource()
                + ": post to /api(s)/.../namespaces/NAMESPACE/" + type.resource());
          }
        }
        return registry.createAsync(into, object, dryRun, completions)
            .thenApply(created -> new ApiResponse(201, JSON, created.json()));
      }
      case "update":
        return update(request, registry, namespace, name, subresource, dryRun, completions);
      case "patch":
        return patch(request, registry, namespace, name, subresource, dryRun, completions);
      case "delete": {
        if (subresource != null) {
          throw StatusError.methodNotAllowed("delete is not supported on " + type.resource() + "/" + subresource);
        }
        DeleteOptions options = deleteOptions(request);
        return registry.deleteAsync(namespace, name, options, dryRun || options.dryRun())
            .thenApplyAsync(deletion -> ok(200, deletion.object()), completions);
      }
      case "deletecollection": {
        DeleteOptions options = deleteOptions(request);
        return done(ok(200, registry.deleteCollection(namespace, selection(request, type), options,
            dryRun || options.dryRun())));
      }
      default:
        throw StatusError.methodNotAllowed("verb " + request.verb() + " is not supported on " + type.resource());
    }
  }

  private CompletableFuture<ApiResponse> update(ApiRequest request, Registry registry, String namespace, String name,
                                                String subresource, boolean dryRun, Executor completions) {
    ResourceType type = registry.type();
    ObjectNode body = Codec.decodeBody(request.body(), request.contentType());
    if ("scale".equals(subresource)) {
      ObjectNode updated = registry.guaranteedUpdate(namespace, name, current -> Scales.apply(current, body, true),
          Registry.Target.SUBRESOURCE, dryRun, false);
      return done(ok(200, Scales.of(updated)));
    }
    if ("finalize".equals(subresource)) {
      ObjectNode updated = registry.guaranteedUpdate(namespace, name, current -> {
        JsonNode finalizers = body.path("spec").path("finalizers");
        ObjectNode spec = Tree.object(current, "spec");
        if (finalizers.isArray()) {
          spec.set("finalizers", finalizers.deepCopy());
        } else {
          spec.remove("finalizers");
        }
        String precondition = Tree.text(body, "metadata", "resourceVersion");
        if (precondition != null && !precondition.isEmpty()) {
          Tree.metadata(current).put("resourceVersion", precondition);
        }
        return current;
      }, Registry.Target.SUBRESOURCE, dryRun, false);
      return done(ok(200, updated));
    }
    TypedCheck.check(type, body);
    if ("status".equals(subresource)) {
      return registry.updateAsync(namespace, name, body, Registry.Target.STATUS, dryRun, completions)
          .thenApplyAsync(updated -> ok(200, updated), completions);
    }
    boolean existed = !type.strategy().allowCreateOnUpdate() || registry.read(namespace, name) != null;
    return registry.updateAsync(namespace, name, body, Registry.Target.MAIN, dryRun, completions)
        .thenApplyAsync(updated -> ok(existed ? 200 : 201, updated), completions);
  }

  private CompletableFuture<ApiResponse> patch(ApiRequest request, Registry registry, String namespace, String name,
                                               String subresource, boolean dryRun, Executor completions) {
    ResourceType type = registry.type();
    String contentType = request.contentType() == null ? "" : request.contentType().toLowerCase();
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon >= 0 ? contentType.substring(0, semicolon) : contentType).trim();
    UnaryOperator<JsonNode> patcher;
    switch (mediaType) {
      case "application/json-patch+json": {
        JsonNode patch = Codec.decodeJson(request.body(), "json patch");
        patcher = target -> JsonPatch.apply(target, patch);
        break;
      }
      case "application/merge-patch+json": {
        JsonNode patch = Codec.decodeJson(request.body(), "merge patch");
        patcher = target -> JsonMergePatch.apply(target, patch);
        break;
      }
      case "application/strategic-merge-patch+json": {
        JsonNode patch = Codec.decodeJson(request.body(), "strategic merge patch");
        PatchSchema schema = PatchSchema.forKind("scale".equals(subresource) ? "Scale" : type.kind());
        patcher = target -> StrategicMergePatch.apply(target, patch, schema);
        break;
      }
      case "application/apply-patch+yaml":
        throw StatusError.unsupportedMediaType("server-side apply (application/apply-patch+yaml) is not supported by "
            + "this server yet; use client-side apply (kubectl apply without --server-side)");
      default:
        throw StatusError.unsupportedMediaType("the body of the request was in an unknown format - accepted media "
            + "types include: application/json-patch+json, application/merge-patch+json, "
            + "application/strategic-merge-patch+json");
    }
    if ("scale".equals(subresource)) {
      ObjectNode updated = registry.guaranteedUpdate(namespace, name,
          current -> Scales.apply(current, patchObject(patcher, Scales.of(current), type, name), false),
          Registry.Target.SUBRESOURCE, dryRun, false);
      return done(ok(200, Scales.of(updated)));
    }
    Registry.Target target = "status".equals(subresource) ? Registry.Target.STATUS : Registry.Target.MAIN;
    return registry.guaranteedUpdateAsync(namespace, name, current -> {
      ObjectNode patched = patchObject(patcher, current, type, name);
      TypedCheck.check(type, patched);
      return patched;
    }, target, dryRun, false, completions).thenApplyAsync(updated -> ok(200, updated), completions);
  }

  private static ObjectNode patchObject(UnaryOperator<JsonNode> patcher, ObjectNode current, ResourceType type,
                                        String name) {
    JsonNode result;
    try {
      result = patcher.apply(current);
    } catch (PatchException e) {
      throw e.invalidInput() ? StatusError.badRequest(e.getMessage())
          : new StatusError(422, "Invalid", e.getMessage(), null);
    }
    if (!(result instanceof ObjectNode patched)) {
      throw StatusError.badRequest("the patch turned " + StatusError.groupResource(type.group(), type.resource())
          + " \"" + name + "\" into something that is not an object");
    }
    String patchedName = Tree.text(patched, "metadata", "name");
    if (patchedName != null && !patchedName.equals(name)) {
      throw StatusError.badRequest("the name of the object (" + patchedName + ") does not match the name on the URL ("
          + name + ")");
    }
    return patched;
  }

  private ApiResponse bind(Registry registry, String namespace, String name, ObjectNode binding, boolean dryRun) {
    String node = Tree.text(binding, "target", "name");
    if (node == null || node.isEmpty()) {
      throw StatusError.invalid("", "Binding", name, List.of(
          dev.tugboat.control.apiserver.resources.validation.FieldError.required("target.name", "")));
    }
    String bindingName = Tree.text(binding, "metadata", "name");
    String podName = bindingName == null || bindingName.isEmpty() ? name : bindingName;
    if (name != null && !name.equals(podName)) {
      throw StatusError.badRequest("the name of the binding (" + podName + ") does not match the pod (" + name + ")");
    }
    registry.guaranteedUpdate(namespace, podName, pod -> {
      String assigned = Tree.textOr(pod, "", "spec", "nodeName");
      if (!assigned.isEmpty()) {
        throw StatusError.conflict("", "pods/binding", podName, "pod " + podName + " is already assigned to node \""
            + assigned + "\"");
      }
      if (Tree.isPresent(Tree.at(pod, "metadata", "deletionTimestamp"))) {
        throw StatusError.conflict("", "pods/binding", podName, "pod " + podName
            + " is being deleted, cannot be assigned to a host");
      }
      String uid = Tree.text(binding, "metadata", "uid");
      if (uid != null && !uid.isEmpty() && !uid.equals(Tree.text(pod, "metadata", "uid"))) {
        throw StatusError.conflict("", "pods/binding", podName, "the UID in the binding does not match the pod");
      }
      PodStrategy.bind(pod, node, Timestamps.format(clock.instant()));
      return pod;
    }, Registry.Target.SUBRESOURCE, dryRun, false);
    ObjectNode status = Codec.NODES.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.put("code", 201);
    return ok(201, status);
  }

  /**
   * policy/v1 Eviction: a delete that disruption budgets could refuse. There are no PodDisruptionBudgets here, so
   * every eviction is allowed and deletes the pod with the eviction's delete options.
   */
  private ApiResponse evict(Registry registry, String namespace, String name, ObjectNode eviction, boolean dryRun) {
    String evictionName = Tree.text(eviction, "metadata", "name");
    if (evictionName != null && !evictionName.isEmpty() && !evictionName.equals(name)) {
      throw StatusError.badRequest("name in URL does not match name in Eviction object");
    }
    JsonNode deleteOptions = eviction.path("deleteOptions");
    DeleteOptions options = DeleteOptions.from(deleteOptions.isObject() ? (ObjectNode) deleteOptions : null, null,
        null);
    registry.delete(namespace, name, options, dryRun || options.dryRun());
    ObjectNode status = Codec.NODES.objectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Success");
    status.put("code", 201);
    return ok(201, status);
  }

  // ---- watch ----

  @Override
  public CompletableFuture<ApiResponse> watch(ApiRequest request, WatchSink sink) {
    try {
      Registry registry = registry(request);
      ResourceType type = registry.type();
      String namespace = type.namespaced() ? request.namespace() : null;
      Selection selection = selection(request, type);
      if (request.name() != null) {
        selection = new Selection(selection.labels(), FieldSelector.parse("metadata.name=" + request.name(),
            type.strategy().fieldNames()), selection.fieldsOf());
      }
      String resourceVersion = request.queryParam("resourceVersion");
      boolean sendInitialEvents = "true".equals(request.queryParam("sendInitialEvents"));
      Long from = resourceVersion == null || resourceVersion.isEmpty() || resourceVersion.equals("0")
          || sendInitialEvents ? null : Registry.parseResourceVersion(resourceVersion);
      long timeout = parseLong(request.queryParam("timeoutSeconds"), "timeoutSeconds");
      boolean bookmarks = "true".equals(request.queryParam("allowWatchBookmarks"));
      EventEncoder encoder = wantsTable(request)
          ? TableConvertor.forType(type).watchEncoder(includeObject(request), clock)
          : EventEncoder.OBJECT;
      WatchCache.WatchSpec spec = new WatchCache.WatchSpec(namespace, selection, from, bookmarks,
          sendInitialEvents && bookmarks, timeout, encoder);
      return registry.cache().watch(spec, sink).handle((ok, failure) -> {
        if (failure == null) {
          return null;
        }
        Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
        return error(cause instanceof StatusError s ? s : StatusError.internal(String.valueOf(cause)));
      });
    } catch (StatusError e) {
      return CompletableFuture.completedFuture(error(e));
    } catch (SelectorException e) {
      return CompletableFuture.completedFuture(error(StatusError.badRequest(e.getMessage())));
    }
  }

  // ---- request parameters ----

  private static Selection selection(ApiRequest request, ResourceType type) {
    LabelSelector labels = LabelSelector.parse(request.queryParam("labelSelector"));
    FieldSelector fields = FieldSelector.parse(request.queryParam("fieldSelector"), type.strategy().fieldNames());
    return new Selection(labels, fields, type.strategy()::fields);
  }

  private static boolean dryRun(ApiRequest request) {
    List<String> values = request.query().get("dryRun");
    if (values == null || values.isEmpty()) {
      return false;
    }
    for (String value : values) {
      if (!value.equals("All")) {
        throw StatusError.badRequest("dryRun: Unsupported value: \"" + value + "\": supported values: \"All\"");
      }
    }
    return true;
  }

  private static long parseLong(String value, String name) {
    if (value == null || value.isEmpty()) {
      return 0;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw StatusError.badRequest(name + ": invalid value \"" + value + "\": must be a non-negative integer");
    }
  }

  private static DeleteOptions deleteOptions(ApiRequest request) {
    ObjectNode body = request.body() == null || request.body().length == 0 ? null
        : Codec.decodeBody(request.body(), request.contentType());
    return DeleteOptions.from(body, request.queryParam("gracePeriodSeconds"), request.queryParam("propagationPolicy"));
  }

  static boolean wantsTable(ApiRequest request) {
    String accept = request.accept();
    if (accept == null) {
      return false;
    }
    for (String part : accept.split(",")) {
      String p = part.replace(" ", "");
      if (p.contains("as=Table") && p.contains("g=meta.k8s.io") && (p.contains("v=v1;") || p.endsWith("v=v1")
          || p.contains("v=v1beta1"))) {
        return true;
      }
      if (p.startsWith("application/json") && !p.contains("as=")) {
        return false;
      }
    }
    return false;
  }

  private static String includeObject(ApiRequest request) {
    String value = request.queryParam("includeObject");
    if (value == null || value.isEmpty()) {
      return "Metadata";
    }
    if (!value.equals("None") && !value.equals("Metadata") && !value.equals("Object")) {
      throw StatusError.badRequest("includeObject: Unsupported value: \"" + value
          + "\": supported values: \"Metadata\", \"None\", \"Object\"");
    }
    return value;
  }

  private ApiResponse asTableOrObject(ApiRequest request, ResourceType type, ObjectNode object) {
    if (!wantsTable(request)) {
      return ok(200, object);
    }
    ObjectNode list = Codec.NODES.objectNode();
    list.putObject("metadata").put("resourceVersion", Tree.textOr(object, "", "metadata", "resourceVersion"));
    ArrayNode items = list.putArray("items");
    items.add(object);
    return ok(200, TableConvertor.forType(type).table(list, includeObject(request), clock.instant()));
  }
}
