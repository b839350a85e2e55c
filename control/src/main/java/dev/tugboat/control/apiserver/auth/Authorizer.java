package dev.tugboat.control.apiserver.auth;

import dev.tugboat.control.apiserver.UserInfo;
import java.util.Set;

/**
 * Decides whether a user may do a verb: members of {@code system:masters} may do everything, every other
 * authenticated user may only read (get, list, watch). The forbidden message is kube-apiserver's, word for word.
 */
public final class Authorizer {

  public static final String MASTERS_GROUP = "system:masters";
  private static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

  public boolean allows(UserInfo user, String verb) {
    return user.groups().contains(MASTERS_GROUP) || READ_VERBS.contains(verb);
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

  /** For paths that are not resources (discovery, /version, /openapi): {@code forbidden: User "x" cannot get path "/p"}. */
  public static String forbiddenPathMessage(UserInfo user, String verb, String path) {
    return "forbidden: User \"" + user.name() + "\" cannot " + verb + " path \"" + path + "\"";
  }
}
