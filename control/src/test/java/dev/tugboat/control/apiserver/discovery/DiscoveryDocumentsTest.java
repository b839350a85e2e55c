package dev.tugboat.control.apiserver.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.ResourceInfo;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class DiscoveryDocumentsTest {

  private static final List<String> ALL = List.of("create", "delete", "get", "list", "patch", "update", "watch");
  private final DiscoveryDocuments discovery = new DiscoveryDocuments(List.of(
      new ResourceInfo("", "v1", "pods", "pod", "Pod", true, ALL, List.of("po"), List.of("all"),
          List.of("status", "binding", "log")),
      new ResourceInfo("apps", "v1", "deployments", "deployment", "Deployment", true, ALL, List.of("deploy"),
          List.of("all"), List.of("scale")),
      new ResourceInfo("batch", "v1beta1", "cronjobs", "cronjob", "CronJob", true, ALL, List.of(), List.of(), List.of()),
      new ResourceInfo("batch", "v1", "jobs", "job", "Job", true, ALL, List.of(), List.of(), List.of()),
      new ResourceInfo("batch", "v2alpha1", "jobs", "job", "Job", true, ALL, List.of(), List.of(), List.of())));

  private static JsonNode json(byte[] body) {
    return JsonMapper.shared().readTree(body);
  }

  @Test
  void acceptHeaderChoosesAggregatedDiscoveryVersion() {
    assertThat(DiscoveryDocuments.aggregatedVersion("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
        + "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")).isEqualTo("v2");
    assertThat(DiscoveryDocuments.aggregatedVersion("application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"))
        .isEqualTo("v2beta1");
    assertThat(DiscoveryDocuments.aggregatedVersion("application/json, */*")).isNull();
    assertThat(DiscoveryDocuments.aggregatedVersion(null)).isNull();
  }

  @Test
  void preferredVersionFollowsKubernetesVersionPriority() {
    assertThat(discovery.versionsOf("batch")).containsExactly("v1", "v1beta1", "v2alpha1");
    JsonNode batch = json(discovery.apiGroup("batch"));
    assertThat(batch.path("preferredVersion").path("groupVersion").asString()).isEqualTo("batch/v1");
  }

  @Test
  void resourceListNamesSubresourcesWithTheirKinds() {
    JsonNode list = json(discovery.apiResourceList("", "v1"));
    assertThat(list.path("groupVersion").asString()).isEqualTo("v1");
    List<String> names = list.path("resources").valueStream().map(r -> r.path("name").asString()).toList();
    assertThat(names).containsExactly("pods", "pods/status", "pods/binding", "pods/log");
    JsonNode binding = list.path("resources").get(2);
    assertThat(binding.path("kind").asString()).isEqualTo("Binding");
    assertThat(binding.path("verbs").valueStream().map(JsonNode::asString)).containsExactly("create");
    JsonNode scale = json(discovery.apiResourceList("apps", "v1")).path("resources").get(1);
    assertThat(scale.path("group").asString()).isEqualTo("autoscaling");
    assertThat(scale.path("kind").asString()).isEqualTo("Scale");
    assertThat(discovery.apiResourceList("apps", "v2")).isNull();
  }

  @Test
  void aggregatedDiscoverySplitsCoreFromNamedGroups() {
    JsonNode core = json(discovery.aggregated(true, "v2"));
    assertThat(core.path("apiVersion").asString()).isEqualTo("apidiscovery.k8s.io/v2");
    assertThat(core.path("items").size()).isEqualTo(1);
    JsonNode pods = core.path("items").get(0).path("versions").get(0).path("resources").get(0);
    assertThat(pods.path("scope").asString()).isEqualTo("Namespaced");
    assertThat(pods.path("responseKind").path("kind").asString()).isEqualTo("Pod");

    JsonNode named = json(discovery.aggregated(false, "v2beta1"));
    assertThat(named.path("items").valueStream().map(i -> i.path("metadata").path("name").asString()))
        .containsExactly("apps", "batch");
    assertThat(named.path("items").get(1).path("versions").valueStream().map(v -> v.path("version").asString()))
        .containsExactly("v1", "v1beta1", "v2alpha1");
  }
}
