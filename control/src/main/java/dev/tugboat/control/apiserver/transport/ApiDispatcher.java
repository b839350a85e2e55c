package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.auth.Authorizer;
import dev.tugboat.control.apiserver.auth.RequestAuthenticator;
import dev.tugboat.control.apiserver.auth.SelfReviews;
import dev.tugboat.control.apiserver.discovery.DiscoveryDocuments;
import dev.tugboat.control.apiserver.discovery.OpenApiDocuments;
import dev.tugboat.control.apiserver.discovery.ServerVersion;
import dev.tugboat.control.apiserver.kubelet.KubeletTarget;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Turns one HTTP request into an answer, without knowing about Netty: authenticate, route the path, authorize,
 * then serve discovery, health, version and OpenAPI here and hand resource requests to the {@link ResourceApi}.
 */
public final class ApiDispatcher {

  /** What the transport sees of an HTTP request. */
  public record HttpCall(String method, String uri, String accept, String contentType, String authorization,
                         byte[] body, X509Certificate clientCertificate, String serverAddress,
                         String impersonateUser, List<String> impersonateGroups) {}

  /** Either a complete answer or a watch to start. */
  public sealed interface Routed {
    record Answer(CompletableFuture<ApiResponse> response) implements Routed {}

    record Watch(ApiRequest request) implements Routed {}

    /** pods/log, pods/exec or pods/attach, served by the node agent of the pod's node. */
    record Kubelet(ApiRequest request) implements Routed {}
  }

  private static final Set<String> HEALTH_PATHS = Set.of("healthz", "livez", "readyz");
  private static final Set<String> TRUE = Set.of("1", "t", "T", "true", "TRUE", "True");

  private final ResourceApi api;
  private final RequestAuthenticator authenticator;
  private final Authorizer authorizer;
  private final SelfReviews selfReviews;
  private final KubeletProxy kubeletProxy;
  private volatile ResourceIndex index = new ResourceIndex(List.of());

  public ApiDispatcher(ResourceApi api, RequestAuthenticator authenticator, Authorizer authorizer) {
    this(api, authenticator, authorizer, null);
  }

  /** @param kubeletProxy serves pods/log, exec and attach; null answers them 503 */
  ApiDispatcher(ResourceApi api, RequestAuthenticator authenticator, Authorizer authorizer,
                KubeletProxy kubeletProxy) {
    this.kubeletProxy = kubeletProxy;
    this.api = api;
    this.authenticator = authenticator;
    this.authorizer = authorizer;
    this.selfReviews = new SelfReviews(authorizer);
  }

  public ResourceApi resourceApi() {
    return api;
  }

  KubeletProxy kubeletProxy() {
    return kubeletProxy;
  }

  /**
   * Routes {@code call}; {@code completions} is where a write's answer is finished once committed ({@link
   * ResourceApi#handle(ApiRequest, Executor)}).
   */
  public Routed route(HttpCall call, Executor completions) {
    int q = call.uri().indexOf('?');
    String path = q < 0 ? call.uri() : call.uri().substring(0, q);
    Map<String, List<String>> query = RequestPath.parseQuery(q < 0 ? null : call.uri().substring(q + 1));
    RequestPath parsed = RequestPath.parse(path);

    if (parsed instanceof RequestPath.NonResource nonResource && isHealth(nonResource)) {
      return answer(new ApiResponse(200, "text/plain; charset=utf-8", "ok".getBytes(StandardCharsets.UTF_8)));
    }
    UserInfo user = authenticator.authenticate(call.clientCertificate(), call.authorization());
    if (user == null) {
      return answer(StatusResponses.unauthorized());
    }
    if (call.impersonateUser() != null) {
      // kubectl --as: only those allowed everything may act as someone else (kube-apiserver's "impersonate" verb).
      if (!authorizer.allows(user, "impersonate")) {
        String message = Authorizer.forbiddenMessage(user, "impersonate", "", "users", null, null,
            call.impersonateUser());
        return answer(StatusResponses.forbidden(message, "", "users", call.impersonateUser()));
      }
      List<String> groups = new ArrayList<>(call.impersonateGroups());
      groups.add(RequestAuthenticator.AUTHENTICATED_GROUP);
      user = new UserInfo(call.impersonateUser(), List.copyOf(groups));
    }
    ResourceIndex resources = currentIndex();
    if (parsed instanceof RequestPath.NonResource nonResource) {
      return answer(nonResource(call, nonResource, resources));
    }
    return resource(call, (RequestPath.Resource) parsed, query, user, resources, completions);
  }

  private Routed resource(HttpCall call, RequestPath.Resource path, Map<String, List<String>> query, UserInfo user,
                          ResourceIndex resources, Executor completions) {
    ResourceInfo info = resources.find(path.group(), path.version(), path.resource());
    if (info == null) {
      return answer(StatusResponses.notFound());
    }
    String namespace = path.namespace();
    if (!info.namespaced()) {
      if (namespace != null && !path.resource().equals("namespaces")) {
        return answer(StatusResponses.notFound());
      }
      namespace = null;
    }
    String name = path.name();
    if (path.subresource() != null && (name == null || !info.subresources().contains(path.subresource()))) {
      return answer(StatusResponses.notFound());
    }
    String verb = verb(call.method(), name, path.watchPrefix() || isTrue(first(query, "watch")));
    boolean kubelet = path.subresource() != null && KubeletTarget.SUBRESOURCES.contains(path.subresource())
        && info.resource().equals("pods") && info.group().isEmpty();
    if (kubelet) {
      // kube-apiserver authorizes exec and attach as create (whether GET for WebSocket or POST for SPDY), log as get.
      boolean get = call.method().equals("GET") || call.method().equals("HEAD");
      verb = path.subresource().equals("log") ? (get ? "get" : null)
          : get || call.method().equals("POST") ? "create" : null;
    }
    if (verb == null) {
      return answer(StatusResponses.methodNotAllowed(call.method(), info.kind()));
    }
    boolean collectionAcrossNamespaces = name == null && (verb.equals("list") || verb.equals("watch"));
    if (info.namespaced() && namespace == null && !collectionAcrossNamespaces) {
      return answer(StatusResponses.notFound());
    }
    if (path.subresource() == null && !info.verbs().contains(verb)) {
      return answer(StatusResponses.methodNotAllowed(verb, info.kind()));
    }
    String contentType = call.contentType();
    byte[] body = call.body();
    if (KubernetesProtobuf.isProtobuf(contentType) && body.length > 0) {
      try {
        body = KubernetesProtobuf.toJson(body);
        contentType = StatusResponses.JSON;
      } catch (IllegalArgumentException e) {
        return answer(StatusResponses.unsupportedMediaType(e.getMessage()));
      }
    }
    ApiRequest request = new ApiRequest(verb, info.group(), info.version(), info.resource(), path.subresource(),
        namespace, name, query, contentType, call.accept(), body, user);
    if (!SelfReviews.serves(info)) {
      Authorizer.Decision decision = authorizer.authorize(request);
      if (!decision.allowed()) {
        return answer(StatusResponses.forbidden(Authorizer.forbiddenMessage(request, decision), info.group(),
            info.resource(), name));
      }
    }
    if (verb.equals("watch") && name != null) {
      // A watch of one object is a watch of its collection narrowed to that name, as kube-apiserver does it.
      query = new LinkedHashMap<>(query);
      String selector = first(query, "fieldSelector");
      String byName = "metadata.name=" + name;
      query.put("fieldSelector", List.of(selector == null || selector.isEmpty() ? byName : byName + "," + selector));
      request = new ApiRequest(verb, info.group(), info.version(), info.resource(), path.subresource(), namespace,
          null, query, contentType, call.accept(), body, user);
    }
    if (verb.equals("watch")) {
      return new Routed.Watch(request);
    }
    if (kubelet) {
      return new Routed.Kubelet(request);
    }
    if (SelfReviews.serves(info)) {
      return answer(selfReviews.create(request));
    }
    return new Routed.Answer(api.handle(request, completions));
  }

  private ApiResponse nonResource(HttpCall call, RequestPath.NonResource path, ResourceIndex resources) {
    if (!call.method().equals("GET") && !call.method().equals("HEAD")) {
      return StatusResponses.notFound();
    }
    List<String> s = path.segments();
    DiscoveryDocuments discovery = resources.discovery();
    if (s.equals(List.of("version"))) {
      return json(ServerVersion.json());
    }
    if (s.equals(List.of("api")) || s.equals(List.of("apis"))) {
      String aggregated = DiscoveryDocuments.aggregatedVersion(call.accept());
      boolean core = s.get(0).equals("api");
      if (aggregated != null) {
        return new ApiResponse(200, DiscoveryDocuments.AGGREGATED_MEDIA_TYPE.formatted(aggregated),
            discovery.aggregated(core, aggregated));
      }
      return json(core ? discovery.apiVersions(call.serverAddress()) : discovery.apiGroupList());
    }
    if (s.size() == 2 && s.get(0).equals("api")) {
      return jsonOrNotFound(discovery.apiResourceList("", s.get(1)));
    }
    if (s.size() == 2 && s.get(0).equals("apis")) {
      return jsonOrNotFound(discovery.apiGroup(s.get(1)));
    }
    if (s.size() == 3 && s.get(0).equals("apis")) {
      return jsonOrNotFound(discovery.apiResourceList(s.get(1), s.get(2)));
    }
    if (s.size() >= 2 && s.get(0).equals("openapi")) {
      ApiResponse document = resources.openApi().serve(s.subList(1, s.size()), call.accept());
      return document == null ? StatusResponses.notFound() : document;
    }
    return StatusResponses.notFound();
  }

  private static boolean isHealth(RequestPath.NonResource path) {
    return !path.segments().isEmpty() && HEALTH_PATHS.contains(path.segments().get(0));
  }

  /** The Kubernetes verb for an HTTP method on a collection ({@code name == null}) or an object. */
  static String verb(String method, String name, boolean watch) {
    return switch (method) {
      case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> name == null ? null : "update";
      case "PATCH" -> name == null ? null : "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> null;
    };
  }

  private ResourceIndex currentIndex() {
    List<ResourceInfo> served = api.resources();
    ResourceIndex current = index;
    if (current.resources != served && !current.resources.equals(served)) {
      current = new ResourceIndex(served);
      index = current;
    }
    return current;
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Go's strconv.ParseBool, which kube-apiserver uses for boolean query parameters. */
  private static boolean isTrue(String value) {
    return value != null && TRUE.contains(value);
  }

  private static Routed answer(ApiResponse response) {
    return new Routed.Answer(CompletableFuture.completedFuture(response));
  }

  private static ApiResponse json(byte[] body) {
    return new ApiResponse(200, StatusResponses.JSON, body);
  }

  private static ApiResponse jsonOrNotFound(byte[] body) {
    return body == null ? StatusResponses.notFound() : json(body);
  }

  /** The served resources by group, version and name, with the documents derived from them; rebuilt when they change. */
  private static final class ResourceIndex {
    final List<ResourceInfo> resources;
    final Map<String, ResourceInfo> byKey = new HashMap<>();
    private final DiscoveryDocuments discovery;
    private final OpenApiDocuments openApi;

    ResourceIndex(List<ResourceInfo> resources) {
      this.resources = resources;
      List<ResourceInfo> served = new ArrayList<>(resources);
      served.addAll(SelfReviews.RESOURCES);
      for (ResourceInfo info : served) {
        byKey.putIfAbsent(key(info.group(), info.version(), info.resource()), info);
      }
      this.discovery = new DiscoveryDocuments(served);
      this.openApi = new OpenApiDocuments(served);
    }

    ResourceInfo find(String group, String version, String resource) {
      return byKey.get(key(group, version, resource));
    }

    DiscoveryDocuments discovery() {
      return discovery;
    }

    OpenApiDocuments openApi() {
      return openApi;
    }

    private static String key(String group, String version, String resource) {
      return group + "/" + version + "/" + resource;
    }
  }
}
