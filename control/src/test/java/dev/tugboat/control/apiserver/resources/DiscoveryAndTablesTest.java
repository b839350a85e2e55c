package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.ResourceInfo;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class DiscoveryAndTablesTest {

  private static final String TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,"
      + "application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void everyServedResourceIsListedWithVerbsShortNamesCategoriesAndSubresources() {
    Map<String, ResourceInfo> byName = client.api.resources().stream()
        .collect(Collectors.toMap(ResourceInfo::resource, r -> r));
    assertThat(byName.keySet()).containsExactlyInAnyOrder("namespaces", "pods", "nodes", "services", "endpoints",
        "configmaps", "secrets", "events", "serviceaccounts", "deployments", "replicasets", "leases",
        "endpointslices");
    assertThat(byName.get("pods").shortNames()).containsExactly("po");
    assertThat(byName.get("pods").categories()).containsExactly("all");
    assertThat(byName.get("pods").subresources()).contains("status", "binding", "log", "exec");
    assertThat(byName.get("pods").verbs()).containsExactly("create", "delete", "deletecollection", "get", "list",
        "patch", "update", "watch");
    assertThat(byName.get("deployments").group()).isEqualTo("apps");
    assertThat(byName.get("deployments").subresources()).containsExactly("status", "scale");
    assertThat(byName.get("nodes").namespaced()).isFalse();
    assertThat(byName.get("leases").group()).isEqualTo("coordination.k8s.io");
    assertThat(byName.get("endpointslices").group()).isEqualTo("discovery.k8s.io");
    assertThat(List.of("svc", "deploy", "rs", "ns", "no", "cm", "ep", "sa", "ev")).allMatch(shortName ->
        byName.values().stream().anyMatch(r -> r.shortNames().contains(shortName)));
  }

  @Test
  void listWithATableAcceptHeaderAnswersATable() {
    client.create("pods", "default", "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\","
        + "\"image\":\"busybox\"}]}}");
    ApiClient.Reply reply = client.send(call("list", "pods", "default", null).accept(TABLE_ACCEPT));
    JsonNode table = reply.body();
    assertThat(table.path("kind").asString()).isEqualTo("Table");
    assertThat(table.path("columnDefinitions").get(0).path("name").asString()).isEqualTo("Name");
    assertThat(table.path("rows").get(0).path("cells").get(2).asString()).isEqualTo("Pending");
    assertThat(table.path("rows").get(0).path("object").path("kind").asString()).isEqualTo("PartialObjectMetadata");
    ApiClient.Reply one = client.send(call("get", "pods", "default", "p").accept(TABLE_ACCEPT)
        .q("includeObject", "Object"));
    assertThat(one.body().path("rows").get(0).path("object").path("kind").asString()).isEqualTo("Pod");
  }

  @Test
  void watchWithATableAcceptHeaderSendsOneRowTables() {
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "namespaces", null, null).accept(TABLE_ACCEPT), events);
    JsonNode first = events.next();
    assertThat(first.path("type").asString()).isEqualTo("ADDED");
    assertThat(first.path("object").path("kind").asString()).isEqualTo("Table");
    assertThat(first.path("object").path("rows")).hasSize(1);
  }

  @Test
  void listAtAResourceVersionIsAtLeastThatNew() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"a\"}}");
    String version = client.list("configmaps", "default").resourceVersion();
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"b\"}}");
    ApiClient.Reply notOlder = client.send(call("list", "configmaps", "default", null).q("resourceVersion", version));
    assertThat(TestJson.names(notOlder.body())).containsExactly("a", "b");
    ApiClient.Reply exact = client.send(call("list", "configmaps", "default", null).q("resourceVersion", version)
        .q("resourceVersionMatch", "Exact"));
    assertThat(TestJson.names(exact.body())).containsExactly("a");
    assertThat(exact.resourceVersion()).isEqualTo(version);
  }

  @Test
  void deleteOptionsDryRunLeavesTheObject() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"a\"}}");
    ApiClient.Reply reply = client.send(call("delete", "configmaps", "default", "a")
        .body("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"dryRun\":[\"All\"]}"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(client.get("configmaps", "default", "a").status()).isEqualTo(200);
  }
}
