package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestPathTest {

  private static RequestPath.Resource resource(String path) {
    RequestPath parsed = RequestPath.parse(path);
    assertThat(parsed).isInstanceOf(RequestPath.Resource.class);
    return (RequestPath.Resource) parsed;
  }

  @Test
  void coreCollectionAcrossNamespaces() {
    assertThat(resource("/api/v1/pods"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, null, "pods", null, null));
  }

  @Test
  void namespacedObjectWithSubresource() {
    assertThat(resource("/api/v1/namespaces/default/pods/web/status"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, "default", "pods", "web", "status"));
  }

  @Test
  void namedGroupCollectionInANamespace() {
    assertThat(resource("/apis/apps/v1/namespaces/prod/deployments"))
        .isEqualTo(new RequestPath.Resource("apps", "v1", false, "prod", "deployments", null, null));
  }

  @Test
  void clusterScopedObject() {
    assertThat(resource("/apis/rbac.authorization.k8s.io/v1/clusterroles/admin"))
        .isEqualTo(new RequestPath.Resource("rbac.authorization.k8s.io", "v1", false, null, "clusterroles", "admin", null));
  }

  @Test
  void namespaceItselfAndItsSubresources() {
    assertThat(resource("/api/v1/namespaces"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, null, "namespaces", null, null));
    assertThat(resource("/api/v1/namespaces/kube-system"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, "kube-system", "namespaces", "kube-system", null));
    assertThat(resource("/api/v1/namespaces/kube-system/finalize"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, "kube-system", "namespaces", "kube-system", "finalize"));
  }

  @Test
  void legacyWatchPrefix() {
    assertThat(resource("/api/v1/watch/namespaces/default/pods/web"))
        .isEqualTo(new RequestPath.Resource("", "v1", true, "default", "pods", "web", null));
  }

  @Test
  void discoveryAndOtherPathsAreNotResources() {
    for (String path : List.of("/", "/api", "/api/v1", "/apis", "/apis/apps", "/apis/apps/v1", "/version",
        "/openapi/v3/apis/apps/v1", "/api/v1/namespaces/a/pods/b/c/d")) {
      assertThat(RequestPath.parse(path)).as(path).isInstanceOf(RequestPath.NonResource.class);
    }
  }

  @Test
  void emptySegmentsFromRepeatedLeadingOrTrailingSlashesAreSkipped() {
    assertThat(resource("//api/v1//namespaces/default/pods//web/"))
        .isEqualTo(new RequestPath.Resource("", "v1", false, "default", "pods", "web", null));
    assertThat(RequestPath.parse("/version/")).isEqualTo(new RequestPath.NonResource("/version/", List.of("version")));
    assertThat(RequestPath.parse("")).isEqualTo(new RequestPath.NonResource("", List.of()));
    assertThat(RequestPath.parse("///")).isEqualTo(new RequestPath.NonResource("///", List.of()));
  }

  @Test
  void percentEncodedSegmentsAreDecodedButPlusIsLiteral() {
    assertThat(resource("/api/v1/namespaces/default/configmaps/a%3Ab+c").name()).isEqualTo("a:b+c");
  }

  @Test
  void queryKeepsRepeatedKeysAndDecodesValues() {
    Map<String, List<String>> query = RequestPath.parseQuery("labelSelector=app%3Dweb%2Ctier+in+(a)&watch=1&x=1&x=2&flag");
    assertThat(query).containsEntry("labelSelector", List.of("app=web,tier in (a)"))
        .containsEntry("watch", List.of("1")).containsEntry("x", List.of("1", "2")).containsEntry("flag", List.of(""));
  }

  @Test
  void httpMethodsMapToKubernetesVerbs() {
    assertThat(ApiDispatcher.verb("GET", null, false)).isEqualTo("list");
    assertThat(ApiDispatcher.verb("GET", "x", false)).isEqualTo("get");
    assertThat(ApiDispatcher.verb("GET", null, true)).isEqualTo("watch");
    assertThat(ApiDispatcher.verb("POST", null, false)).isEqualTo("create");
    assertThat(ApiDispatcher.verb("PUT", "x", false)).isEqualTo("update");
    assertThat(ApiDispatcher.verb("PATCH", "x", false)).isEqualTo("patch");
    assertThat(ApiDispatcher.verb("DELETE", "x", false)).isEqualTo("delete");
    assertThat(ApiDispatcher.verb("DELETE", null, false)).isEqualTo("deletecollection");
    assertThat(ApiDispatcher.verb("PUT", null, false)).isNull();
    assertThat(ApiDispatcher.verb("TRACE", "x", false)).isNull();
  }
}
