package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ListPagingTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  private void configMaps(int count) {
    for (int i = 0; i < count; i++) {
      client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm" + i + "\",\"labels\":{\"even\":\""
          + (i % 2 == 0) + "\"}}}");
    }
  }

  @Test
  void limitAndContinueWalkTheListAtOneRevision() {
    configMaps(5);
    ApiClient.Reply first = client.send(call("list", "configmaps", "default", null).q("limit", "2"));
    assertThat(TestJson.names(first.body())).containsExactly("cm0", "cm1");
    assertThat(first.body().path("metadata").path("remainingItemCount").asLong()).isEqualTo(3);
    String token = first.body().path("metadata").path("continue").asString();
    assertThat(token).isNotEmpty();
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm9\"}}");
    List<String> rest = new ArrayList<>();
    while (!token.isEmpty()) {
      ApiClient.Reply page = client.send(call("list", "configmaps", "default", null).q("limit", "2")
          .q("continue", token));
      assertThat(page.resourceVersion()).isEqualTo(first.resourceVersion());
      rest.addAll(TestJson.names(page.body()));
      token = page.body().path("metadata").path("continue").asString("");
    }
    assertThat(rest).containsExactly("cm2", "cm3", "cm4");
  }

  @Test
  void aListWithoutResourceVersionSeesEveryWriteAcknowledgedBeforeIt() {
    // served from the watch cache once it has caught up with the store: never older than a write already answered
    for (int i = 0; i < 30; i++) {
      ApiClient.Reply created = client.create("configmaps", "default", "{\"metadata\":{\"name\":\"fresh" + i + "\"}}");
      ApiClient.Reply list = client.list("configmaps", "default");
      assertThat(TestJson.names(list.body())).contains("fresh" + i);
      assertThat(Long.parseLong(list.resourceVersion()))
          .isGreaterThanOrEqualTo(created.body().path("metadata").path("resourceVersion").asLong());
    }
    client.delete("configmaps", "default", "fresh0");
    assertThat(TestJson.names(client.list("configmaps", "default").body())).doesNotContain("fresh0");
    // a newer write to another resource: the configmaps list still reflects at least that revision
    ApiClient.Reply secret = client.create("secrets", "default", "{\"metadata\":{\"name\":\"later\"}}");
    assertThat(Long.parseLong(client.list("configmaps", "default").resourceVersion()))
        .isGreaterThanOrEqualTo(secret.body().path("metadata").path("resourceVersion").asLong());
  }

  @Test
  void limitWithASelectorFillsPagesWithMatchesOnly() {
    configMaps(7);
    ApiClient.Reply first = client.send(call("list", "configmaps", "default", null).q("limit", "2")
        .q("labelSelector", "even=true"));
    assertThat(TestJson.names(first.body())).containsExactly("cm0", "cm2");
    String token = first.body().path("metadata").path("continue").asString();
    ApiClient.Reply second = client.send(call("list", "configmaps", "default", null).q("limit", "2")
        .q("labelSelector", "even=true").q("continue", token));
    assertThat(TestJson.names(second.body())).containsExactly("cm4", "cm6");
  }

  @Test
  void continueAfterCompactionIsGone() {
    configMaps(3);
    ApiClient.Reply first = client.send(call("list", "configmaps", "default", null).q("limit", "1"));
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"late\"}}");
    client.store.compact(client.store.currentRevision()).join();
    ApiClient.Reply next = client.send(call("list", "configmaps", "default", null).q("limit", "1")
        .q("continue", first.body().path("metadata").path("continue").asString()));
    assertThat(next.status()).isEqualTo(410);
    assertThat(next.reason()).isEqualTo("Expired");
  }

  @Test
  void aMalformedContinueTokenIsABadRequest() {
    ApiClient.Reply reply = client.send(call("list", "configmaps", "default", null).q("continue", "!!notbase64"));
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).startsWith("continue key is not valid");
  }

  @Test
  void fieldSelectorsSelectByNameAndRefuseUnknownFields() {
    configMaps(3);
    ApiClient.Reply byName = client.send(call("list", "configmaps", "default", null)
        .q("fieldSelector", "metadata.name=cm1"));
    assertThat(TestJson.names(byName.body())).containsExactly("cm1");
    ApiClient.Reply notName = client.send(call("list", "configmaps", "default", null)
        .q("fieldSelector", "metadata.name!=cm1"));
    assertThat(TestJson.names(notName.body())).containsExactly("cm0", "cm2");
    ApiClient.Reply unknown = client.send(call("list", "configmaps", "default", null)
        .q("fieldSelector", "spec.nodeName=x"));
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.message()).isEqualTo("field label not supported: spec.nodeName");
  }

  @Test
  void listAcrossNamespacesIncludesEveryNamespace() {
    client.create("namespaces", null, "{\"metadata\":{\"name\":\"other\"}}");
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"a\"}}");
    client.create("configmaps", "other", "{\"metadata\":{\"name\":\"b\"}}");
    assertThat(TestJson.names(client.list("configmaps", null).body())).containsExactly("a", "b");
    assertThat(TestJson.names(client.list("configmaps", "other").body())).containsExactly("b");
  }
}
