package dev.tugboat.control.apiserver.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.UserInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The node identity's rights, request by request, over a fixed set of pods. */
class NodeAuthorizerTest {

  private static final UserInfo NODE_A = new UserInfo("system:node:a", List.of("system:nodes", "system:authenticated"));
  private static final JsonNode ON_A = pod("default", "web", "a", """
      "volumes": [{"name": "v", "secret": {"secretName": "web-tls"}},
                  {"name": "p", "projected": {"sources": [{"configMap": {"name": "projected-cm"}}]}}],
      "imagePullSecrets": [{"name": "pull"}],
      "containers": [{"name": "c", "env": [{"name": "E", "valueFrom": {"configMapKeyRef": {"name": "env-cm", "key": "k"}}}],
                      "envFrom": [{"secretRef": {"name": "env-secret"}}]}]
      """);
  private static final JsonNode ON_B = pod("default", "db", "b", """
      "volumes": [{"name": "v", "secret": {"secretName": "db-password"}}], "containers": [{"name": "c"}]
      """);

  private final Authorizer authorizer = new Authorizer(new NodeAuthorizer(new NodeAuthorizer.PodIndex() {
    @Override
    public JsonNode pod(String namespace, String name) {
      for (JsonNode pod : List.of(ON_A, ON_B)) {
        if (pod.path("metadata").path("name").asString().equals(name)
            && pod.path("metadata").path("namespace").asString().equals(namespace)) return pod;
      }
      return null;
    }

    @Override
    public List<JsonNode> boundTo(String nodeName, String namespace) {
      return List.of(ON_A, ON_B).stream().filter(p -> p.path("spec").path("nodeName").asString().equals(nodeName)
          && p.path("metadata").path("namespace").asString().equals(namespace)).toList();
    }
  }));

  private static JsonNode pod(String namespace, String name, String node, String spec) {
    return JsonMapper.shared().readTree("{\"metadata\": {\"namespace\": \"" + namespace + "\", \"name\": \"" + name
        + "\"}, \"spec\": {\"nodeName\": \"" + node + "\", " + spec + "}}");
  }

  private static ApiRequest request(String verb, String group, String resource, String sub, String namespace,
      String name, String fieldSelector, String body) {
    return new ApiRequest(verb, group, "v1", resource, sub, namespace, name,
        fieldSelector == null ? Map.of() : Map.of("fieldSelector", List.of(fieldSelector)), null, null,
        body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8), NODE_A);
  }

  private boolean allowed(String verb, String group, String resource, String sub, String namespace, String name,
      String fieldSelector, String body) {
    return authorizer.authorize(request(verb, group, resource, sub, namespace, name, fieldSelector, body)).allowed();
  }

  @Test
  void aNodeReadsRegistersAndUpdatesOnlyItsOwnNode() {
    assertThat(allowed("get", "", "nodes", null, null, "a", null, null)).isTrue();
    assertThat(allowed("create", "", "nodes", null, null, null, null, "{\"metadata\":{\"name\":\"a\"}}")).isTrue();
    assertThat(allowed("patch", "", "nodes", "status", null, "a", null, null)).isTrue();
    assertThat(allowed("update", "", "nodes", null, null, "a", null, null)).isTrue();
    assertThat(allowed("watch", "", "nodes", null, null, null, "metadata.name=a", null)).isTrue();

    assertThat(allowed("get", "", "nodes", null, null, "b", null, null)).isFalse();
    assertThat(allowed("patch", "", "nodes", "status", null, "b", null, null)).isFalse();
    assertThat(allowed("create", "", "nodes", null, null, null, null, "{\"metadata\":{\"name\":\"b\"}}")).isFalse();
    assertThat(allowed("list", "", "nodes", null, null, null, null, null)).isFalse();
    assertThat(allowed("delete", "", "nodes", null, null, "a", null, null)).isFalse();
    assertThat(allowed("create", "", "nodes", null, null, null, null, "not json")).isFalse();
  }

  @Test
  void aNodeRenewsOnlyItsOwnLeaseInKubeNodeLease() {
    assertThat(allowed("get", "coordination.k8s.io", "leases", null, "kube-node-lease", "a", null, null)).isTrue();
    assertThat(allowed("update", "coordination.k8s.io", "leases", null, "kube-node-lease", "a", null, null)).isTrue();
    assertThat(allowed("create", "coordination.k8s.io", "leases", null, "kube-node-lease", null, null,
        "{\"metadata\":{\"name\":\"a\"}}")).isTrue();

    assertThat(allowed("update", "coordination.k8s.io", "leases", null, "kube-node-lease", "b", null, null)).isFalse();
    assertThat(allowed("get", "coordination.k8s.io", "leases", null, "default", "a", null, null)).isFalse();
    assertThat(allowed("delete", "coordination.k8s.io", "leases", null, "kube-node-lease", "a", null, null)).isFalse();
  }

  @Test
  void aNodeSeesAndUpdatesOnlyThePodsBoundToIt() {
    assertThat(allowed("list", "", "pods", null, null, null, "spec.nodeName=a", null)).isTrue();
    assertThat(allowed("watch", "", "pods", null, null, null, "status.phase!=Failed,spec.nodeName==a", null)).isTrue();
    assertThat(allowed("get", "", "pods", null, "default", "web", null, null)).isTrue();
    assertThat(allowed("patch", "", "pods", "status", "default", "web", null, null)).isTrue();
    assertThat(allowed("delete", "", "pods", null, "default", "web", null, null)).isTrue();

    assertThat(allowed("list", "", "pods", null, null, null, null, null)).isFalse();
    assertThat(allowed("list", "", "pods", null, null, null, "spec.nodeName=b", null)).isFalse();
    assertThat(allowed("list", "", "pods", null, null, null, "spec.nodeName!=a", null)).isFalse();
    assertThat(allowed("get", "", "pods", null, "default", "db", null, null)).isFalse();
    assertThat(allowed("patch", "", "pods", "status", "default", "db", null, null)).isFalse();
    assertThat(allowed("get", "", "pods", null, "default", "missing", null, null)).isFalse();
    assertThat(allowed("update", "", "pods", null, "default", "web", null, null)).isFalse();
    assertThat(allowed("create", "", "pods", "exec", "default", "web", null, null)).isFalse();
    assertThat(allowed("create", "", "pods", null, "default", null, null, null)).isFalse();
  }

  @Test
  void aNodeGetsTheSecretsAndConfigMapsItsPodsUseAndNoOthers() {
    for (String secret : List.of("web-tls", "env-secret", "pull")) {
      assertThat(allowed("get", "", "secrets", null, "default", secret, null, null)).as(secret).isTrue();
    }
    for (String configMap : List.of("env-cm", "projected-cm")) {
      assertThat(allowed("get", "", "configmaps", null, "default", configMap, null, null)).as(configMap).isTrue();
    }
    assertThat(allowed("watch", "", "secrets", null, "default", null, "metadata.name=web-tls", null)).isTrue();

    assertThat(allowed("get", "", "secrets", null, "default", "db-password", null, null)).isFalse();
    assertThat(allowed("get", "", "secrets", null, "other", "web-tls", null, null)).isFalse();
    assertThat(allowed("get", "", "configmaps", null, "default", "web-tls", null, null)).isFalse();
    assertThat(allowed("list", "", "secrets", null, "default", null, null, null)).isFalse();
    assertThat(allowed("update", "", "secrets", null, "default", "web-tls", null, null)).isFalse();
  }

  @Test
  void aNodeCreatesEventsAndTouchesNothingElse() {
    assertThat(allowed("create", "", "events", null, "default", null, null, null)).isTrue();
    assertThat(allowed("patch", "events.k8s.io", "events", null, "default", "e", null, null)).isTrue();
    assertThat(allowed("list", "", "events", null, "default", null, null, null)).isFalse();
    assertThat(allowed("get", "", "services", null, "default", "kubernetes", null, null)).isFalse();
    assertThat(allowed("list", "", "namespaces", null, null, null, null, null)).isFalse();
    assertThat(allowed("get", "apps", "deployments", null, "default", "web", null, null)).isFalse();
    assertThat(authorizer.allows(NODE_A, "impersonate")).isFalse();
    assertThat(authorizer.allows(NODE_A, "get")).isFalse();
  }

  @Test
  void theDenialSaysWhy() {
    ApiRequest request = request("get", "", "secrets", null, "default", "db-password", null, null);
    assertThat(Authorizer.forbiddenMessage(request, authorizer.authorize(request))).isEqualTo(
        "secrets \"db-password\" is forbidden: User \"system:node:a\" cannot get resource \"secrets\" in API group \"\" "
            + "in the namespace \"default\": no relationship found between node 'a' and this object");
  }

  @Test
  void onlyTheNodeIdentityInTheNodesGroupIsANode() {
    assertThat(NodeAuthorizer.nodeName(NODE_A)).isEqualTo("a");
    assertThat(NodeAuthorizer.nodeName(new UserInfo("system:node:a", List.of("system:authenticated")))).isNull();
    assertThat(NodeAuthorizer.nodeName(new UserInfo("alice", List.of("system:nodes")))).isNull();
    UserInfo masterNode = new UserInfo("system:node:a", List.of("system:nodes", "system:masters"));
    assertThat(authorizer.authorize(new ApiRequest("list", "", "v1", "secrets", null, null, null, Map.of(), null, null,
        new byte[0], masterNode)).allowed()).isTrue();
  }
}
