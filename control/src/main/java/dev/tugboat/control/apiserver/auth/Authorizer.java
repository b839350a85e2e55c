package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.UserInfo;
import java.util.Set;

/**
 * Decides whether a user may make a request: members of {@code system:masters} may do everything; a node agent
 * ({@code system:node:NAME} in {@code system:nodes}) what {@link NodeAuthorizer} allows it and nothing else; every
 * other authenticated user may only read (get, list, watch). The forbidden message is kube-apiserver's, word for word.
 */
public final class Authorizer {

  public static final String MASTERS_GROUP = "system:masters";
  private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

  /** Allowed or not, and for a denial the reason kube-apiserver appends to its message (null: none). */
  public record Decision(boolean allowed, String reason) {
    public static final Decision ALLOW = new Decision(true, null);
  }

  private final NodeAuthorizer nodes;

  /** An authorizer that knows no pods: node agents may do only what needs no pod looked up. */
  public Authorizer() {
    this(new NodeAuthorizer(NodeAuthorizer.PodIndex.NONE));
  }

  public Authorizer(NodeAuthorizer nodes) {
    this.nodes = nodes;
  }

  /** Whether the user may do a verb that names no resource (impersonate), or read a non-resource path. */
  public boolean allows(UserInfo user, String verb) {
    return user.groups().contains(MASTERS_GROUP)
        || (NodeAuthorizer.nodeName(user) == null && READ_VERBS.contains(verb));
  }

  /** The decision for a resource request (its user, verb, resource, subresource, namespace, name, selector, body). */
  public Decision authorize(ApiRequest request) {
    UserInfo user = request.user();
    if (user.groups().contains(MASTERS_GROUP)) return Decision.ALLOW;
    String node = NodeAuthorizer.nodeName(user);
    if (node != null) return nodes.authorize(node, request);
    return READ_VERBS.contains(request.verb()) ? Decision.ALLOW : new Decision(false, null);
  }

  /**
   * {@code pods "web" is forbidden: User "x" cannot create resource "pods" in API group "" in the namespace "default"};
   * the subject is group-qualified ({@code deployments.apps}) and names no subresource, the verb phrase does.
   */
  public static String forbiddenMessage(UserInfo user, String verb, String group, String resource, String subresource,
                                        String namespace, String name) {
    String qualified = group.isEmpty() ? resource : resource + "." + group;
    String subject = name == null ? qualified : qualified + " \"" + name + "\"";
    String fullResource = subresource == null ? resource : resource + "/" + subresource;
    String scope = namespace == null ? "at the cluster scope" : "in the namespace \"" + namespace + "\"";
    return subject + " is forbidden: User \"" + user.name() + "\" cannot " + verb + " resource \"" + fullResource
        + "\" in API group \"" + group + "\" " + scope;
  }

  /** The message for a denied request, with the authorizer's reason after a colon as kube-apiserver puts it. */
  public static String forbiddenMessage(ApiRequest request, Decision decision) {
    String message = forbiddenMessage(request.user(), request.verb(), request.group(), request.resource(),
        request.subresource(), request.namespace(), request.name());
    return decision.reason() == null ? message : message + ": " + decision.reason();
  }

  /** For paths that are not resources (discovery, /version, /openapi): {@code forbidden: User "x" cannot get path "/p"}. */
  public static String forbiddenPathMessage(UserInfo user, String verb, String path) {
    return "forbidden: User \"" + user.name() + "\" cannot " + verb + " path \"" + path + "\"";
  }
}
