package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.UserInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a node agent ({@code system:node:NAME} in {@code system:nodes}) may do, as Kubernetes' Node authorizer with
 * NodeRestriction allows it: read and update its own Node (and create it), its own Lease in kube-node-lease; read
 * the pods bound to it (list and watch only narrowed by {@code spec.nodeName=NAME}), update their status and delete
 * them once stopped; get the secrets and configmaps those pods use; create and update events. Nothing else.
 */
public final class NodeAuthorizer {

  public static final String NODE_USER_PREFIX = "system:node:";
  public static final String NODES_GROUP = "system:nodes";
  static final String LEASE_NAMESPACE = "kube-node-lease";
  private static final Set<String> READ = Set.of("get", "list", "watch");
  private static final Set<String> WRITE = Set.of("update", "patch");

  /** The pods the authorizer asks about: where one is bound, and which are bound to a node. */
  public interface PodIndex {
    /** The pod, or null if there is none. */
    JsonNode pod(String namespace, String name);

    /** The pods bound to {@code nodeName} in {@code namespace}. */
    List<JsonNode> boundTo(String nodeName, String namespace);

    /** No pods at all. */
    PodIndex NONE = new PodIndex() {
      @Override
      public JsonNode pod(String namespace, String name) {
        return null;
      }

      @Override
      public List<JsonNode> boundTo(String nodeName, String namespace) {
        return List.of();
      }
    };

    /** The pods as the resource layer serves them, asked for as {@code user} (authorization does not apply there). */
    static PodIndex over(ResourceApi api, UserInfo user) {
      return new PodIndex() {
        @Override
        public JsonNode pod(String namespace, String name) {
          ApiResponse response = api.handle(new ApiRequest("get", "", "v1", "pods", null, namespace, name, Map.of(),
              null, "application/json", new byte[0], user)).join();
          return response.status() == 200 ? JsonMapper.shared().readTree(response.body()) : null;
        }

        @Override
        public List<JsonNode> boundTo(String nodeName, String namespace) {
          ApiResponse response = api.handle(new ApiRequest("list", "", "v1", "pods", null, namespace, null,
              Map.of("fieldSelector", List.of("spec.nodeName=" + nodeName)), null, "application/json", new byte[0],
              user)).join();
          List<JsonNode> pods = new ArrayList<>();
          if (response.status() == 200) JsonMapper.shared().readTree(response.body()).path("items").forEach(pods::add);
          return pods;
        }
      };
    }
  }

  private final PodIndex pods;

  public NodeAuthorizer(PodIndex pods) {
    this.pods = pods;
  }

  /** Whether the user is a node agent's identity; its node's name, or null. */
  public static String nodeName(UserInfo user) {
    return user.name().startsWith(NODE_USER_PREFIX) && user.groups().contains(NODES_GROUP)
        ? user.name().substring(NODE_USER_PREFIX.length()) : null;
  }

  /** The decision for node {@code node}'s request. */
  public Authorizer.Decision authorize(String node, ApiRequest request) {
    String verb = request.verb();
    String group = request.group();
    String resource = request.resource();
    String sub = request.subresource();
    if (group.isEmpty() && resource.equals("nodes")) {
      if (sub != null && !sub.equals("status")) return deny("a node may not use nodes/" + sub);
      return own(node, request, READ.contains(verb) || WRITE.contains(verb) || (verb.equals("create") && sub == null),
          "its own Node");
    }
    if (group.equals("coordination.k8s.io") && resource.equals("leases")) {
      if (!LEASE_NAMESPACE.equals(request.namespace())) {
        return deny("a node may only use its own Lease in " + LEASE_NAMESPACE);
      }
      return own(node, request, READ.contains(verb) || WRITE.contains(verb) || verb.equals("create"), "its own Lease");
    }
    if ((group.isEmpty() || group.equals("events.k8s.io")) && resource.equals("events")) {
      return verb.equals("create") || WRITE.contains(verb) ? Authorizer.Decision.ALLOW
          : deny("a node may create and update events, not " + verb + " them");
    }
    if (group.isEmpty() && resource.equals("pods")) {
      return pod(node, request);
    }
    if (group.isEmpty() && (resource.equals("secrets") || resource.equals("configmaps"))) {
      return referenced(node, request);
    }
    return deny(null);
  }

  private Authorizer.Decision pod(String node, ApiRequest request) {
    String verb = request.verb();
    String sub = request.subresource();
    if (request.name() == null) {
      if ((verb.equals("list") || verb.equals("watch")) && node.equals(selected(request, "spec.nodeName"))) {
        return Authorizer.Decision.ALLOW;
      }
      return deny("a node may only list and watch the pods bound to it (fieldSelector spec.nodeName=" + node + ")");
    }
    boolean allowedVerb = sub == null ? verb.equals("get") || verb.equals("delete")
        : sub.equals("status") && (verb.equals("get") || WRITE.contains(verb));
    if (!allowedVerb) return deny(null);
    JsonNode pod = pods.pod(request.namespace(), request.name());
    if (pod == null || !node.equals(pod.path("spec").path("nodeName").asString(""))) return noRelationship(node);
    return Authorizer.Decision.ALLOW;
  }

  /** A secret or configmap may be read when a pod bound to the node uses it. */
  private Authorizer.Decision referenced(String node, ApiRequest request) {
    String verb = request.verb();
    String name = request.name();
    if (name == null && (verb.equals("list") || verb.equals("watch"))) {
      name = selected(request, "metadata.name");
    } else if (!verb.equals("get")) {
      name = null;
    }
    if (name == null || request.namespace() == null) return deny(null);
    String kind = request.resource().equals("secrets") ? "secret" : "configMap";
    for (JsonNode pod : pods.boundTo(node, request.namespace())) {
      if (references(pod, kind).contains(name)) return Authorizer.Decision.ALLOW;
    }
    return noRelationship(node);
  }

  /** The names of the secrets ({@code kind} "secret") or configmaps ("configMap") a pod uses. */
  static Set<String> references(JsonNode pod, String kind) {
    Set<String> names = new java.util.HashSet<>();
    JsonNode spec = pod.path("spec");
    boolean secret = kind.equals("secret");
    for (JsonNode volume : spec.path("volumes")) {
      add(names, secret ? volume.path("secret").path("secretName") : volume.path("configMap").path("name"));
      for (JsonNode source : volume.path("projected").path("sources")) add(names, source.path(kind).path("name"));
    }
    for (String containers : List.of("initContainers", "containers", "ephemeralContainers")) {
      for (JsonNode container : spec.path(containers)) {
        for (JsonNode env : container.path("env")) {
          add(names, env.path("valueFrom").path(kind + "KeyRef").path("name"));
        }
        for (JsonNode from : container.path("envFrom")) add(names, from.path(kind + "Ref").path("name"));
      }
    }
    if (secret) {
      for (JsonNode pull : spec.path("imagePullSecrets")) add(names, pull.path("name"));
    }
    return names;
  }

  private static void add(Set<String> names, JsonNode name) {
    if (name.isString() && !name.asString().isEmpty()) names.add(name.asString());
  }

  /** Requests on a node's own object: by name, by fieldSelector metadata.name, or a create whose body names it. */
  private static Authorizer.Decision own(String node, ApiRequest request, boolean verbAllowed, String what) {
    if (!verbAllowed) return deny("a node may not " + request.verb() + " " + what);
    String name = request.name();
    if (name == null && request.verb().equals("create")) name = bodyName(request);
    if (name == null && (request.verb().equals("list") || request.verb().equals("watch"))) {
      name = selected(request, "metadata.name");
    }
    return node.equals(name) ? Authorizer.Decision.ALLOW
        : deny("node \"" + node + "\" may only use " + what + (name == null ? "" : ", not \"" + name + "\""));
  }

  private static String bodyName(ApiRequest request) {
    if (request.body() == null || request.body().length == 0) return null;
    try {
      return JsonMapper.shared().readTree(request.body()).path("metadata").path("name").asString(null);
    } catch (JacksonException notJson) {
      return null;
    }
  }

  /** The value an {@code =} (or {@code ==}) term of the request's field selector requires of {@code field}. */
  static String selected(ApiRequest request, String field) {
    String selector = request.queryParam("fieldSelector");
    if (selector == null) return null;
    for (String term : selector.split(",")) {
      String t = term.strip();
      for (String op : List.of("==", "=")) {
        if (t.startsWith(field + op) && !t.startsWith(field + "!=")) return t.substring(field.length() + op.length());
      }
    }
    return null;
  }

  private static Authorizer.Decision noRelationship(String node) {
    return deny("no relationship found between node '" + node + "' and this object");
  }

  private static Authorizer.Decision deny(String reason) {
    return new Authorizer.Decision(false, reason);
  }
}
