package dev.tugboat.control.apiserver.discovery;

import java.util.List;
import java.util.Map;

/**
 * What kind each well-known subresource speaks and which verbs it takes, as kube-apiserver's discovery reports them
 * (pods/status returns a Pod, deployments/scale an autoscaling/v1 Scale, pods/binding takes a Binding).
 */
final class SubresourceKinds {

  /** A kind of {@code null} group/version means "the parent's"; a kind of null means "the parent's kind". */
  record Subresource(String group, String version, String kind, List<String> verbs) {}

  private static final List<String> READ_WRITE = List.of("get", "patch", "update");
  private static final Map<String, Subresource> KNOWN = Map.ofEntries(
      Map.entry("status", new Subresource(null, null, null, READ_WRITE)),
      Map.entry("ephemeralcontainers", new Subresource(null, null, null, READ_WRITE)),
      Map.entry("resize", new Subresource(null, null, null, READ_WRITE)),
      Map.entry("approval", new Subresource(null, null, null, READ_WRITE)),
      Map.entry("finalize", new Subresource(null, null, null, List.of("update"))),
      Map.entry("scale", new Subresource("autoscaling", "v1", "Scale", READ_WRITE)),
      Map.entry("binding", new Subresource("", "v1", "Binding", List.of("create"))),
      Map.entry("eviction", new Subresource("policy", "v1", "Eviction", List.of("create"))),
      Map.entry("log", new Subresource(null, null, null, List.of("get"))),
      Map.entry("exec", new Subresource("", "v1", "PodExecOptions", List.of("create", "get"))),
      Map.entry("attach", new Subresource("", "v1", "PodAttachOptions", List.of("create", "get"))),
      Map.entry("portforward", new Subresource("", "v1", "PodPortForwardOptions", List.of("create", "get"))),
      Map.entry("token", new Subresource("authentication.k8s.io", "v1", "TokenRequest", List.of("create"))),
      Map.entry("proxy", new Subresource("", "v1", null,
          List.of("create", "delete", "get", "patch", "update"))));

  private SubresourceKinds() {}

  static Subresource of(String subresource) {
    return KNOWN.getOrDefault(subresource, new Subresource(null, null, null, List.of("get")));
  }

  /** The kind a subresource answers with, given its parent's; proxy's kind is the parent's plus ProxyOptions. */
  static String kind(String subresource, String parentKind) {
    if (subresource.equals("proxy")) {
      return parentKind + "ProxyOptions";
    }
    Subresource known = of(subresource);
    return known.kind() == null ? parentKind : known.kind();
  }
}
