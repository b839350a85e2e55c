package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ResourcesWatchTest {

  private ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  private static String pod(String name, String app) {
    return "{\"metadata\":{\"name\":\"" + name + "\",\"labels\":{\"app\":\"" + app + "\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}";
  }

  private static String type(JsonNode event) {
    return event.path("type").asString();
  }

  private static String name(JsonNode event) {
    return event.path("object").path("metadata").path("name").asString();
  }

  @Test
  void watchWithoutResourceVersionSendsCurrentStateAsAddedThenChanges() {
    client.create("pods", "default", pod("a", "x"));
    client.create("pods", "default", pod("b", "x"));
    ApiClient.Events events = new ApiClient.Events();
    assertThat(client.watch(call("watch", "pods", "default", null), events)).isNull();
    assertThat(List.of(type(events.next()), type(events.next()))).containsExactly("ADDED", "ADDED");
    client.patch("pods", "default", "a", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"v\":\"2\"}}}");
    JsonNode modified = events.next();
    assertThat(type(modified)).isEqualTo("MODIFIED");
    assertThat(modified.path("object").path("metadata").path("labels").path("v").asString()).isEqualTo("2");
    ApiClient.Reply deleted = client.delete("pods", "default", "b");
    assertThat(deleted.status()).isEqualTo(200);
    JsonNode gone = events.next();
    assertThat(type(gone)).isEqualTo("DELETED");
    assertThat(name(gone)).isEqualTo("b");
    assertThat(Long.parseLong(gone.path("object").path("metadata").path("resourceVersion").asString()))
        .isEqualTo(client.store.currentRevision());
  }

  @Test
  void watchFromAResourceVersionSendsOnlyLaterChanges() {
    client.create("pods", "default", pod("a", "x"));
    String listVersion = client.list("pods", "default").resourceVersion();
    client.create("pods", "default", pod("b", "x"));
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("resourceVersion", listVersion), events);
    JsonNode first = events.next();
    assertThat(type(first)).isEqualTo("ADDED");
    assertThat(name(first)).isEqualTo("b");
    assertThat(events.drain()).isEmpty();
  }

  @Test
  void watchFromACompactedResourceVersionIsGone() {
    client.create("pods", "default", pod("a", "x"));
    String old = client.list("pods", "default").resourceVersion();
    client.create("pods", "default", pod("b", "x"));
    client.store.compact(client.store.currentRevision()).join();
    ApiClient.Events events = new ApiClient.Events();
    ApiClient.Reply reply = client.watch(call("watch", "pods", "default", null).q("resourceVersion", old), events);
    assertThat(reply.status()).isEqualTo(410);
    assertThat(reply.reason()).isEqualTo("Expired");
    assertThat(reply.message()).startsWith("too old resource version: " + old);
    assertThat(events.drain()).isEmpty();
  }

  @Test
  void objectsMovingOutOfTheSelectorAreDeletedAndMovingInAreAdded() {
    client.create("pods", "default", pod("a", "web"));
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("labelSelector", "app=web"), events);
    assertThat(type(events.next())).isEqualTo("ADDED");
    client.patch("pods", "default", "a", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"db\"}}}");
    JsonNode out = events.next();
    assertThat(type(out)).isEqualTo("DELETED");
    assertThat(out.path("object").path("metadata").path("labels").path("app").asString()).isEqualTo("db");
    client.create("pods", "default", pod("other", "db"));
    client.patch("pods", "default", "a", "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
    JsonNode in = events.next();
    assertThat(type(in)).isEqualTo("ADDED");
    assertThat(name(in)).isEqualTo("a");
  }

  @Test
  void aCreatedPodIsSelectedByTheLabelsAndFieldsItWasCreatedWith() {
    ApiClient.Events byLabel = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("labelSelector", "app=web")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), byLabel);
    ApiClient.Events byField = new ApiClient.Events();
    client.watch(call("watch", "pods", null, null).q("fieldSelector", "spec.nodeName=n1")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), byField);
    client.create("pods", "default", pod("db", "db"));
    client.create("pods", "default", "{\"metadata\":{\"name\":\"web\",\"labels\":{\"app\":\"web\"}},"
        + "\"spec\":{\"nodeName\":\"n1\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]}}");
    assertThat(name(byLabel.next())).isEqualTo("web");
    assertThat(name(byField.next())).isEqualTo("web");
    assertThat(client.list("pods", "default").body().path("items")).hasSize(2);
  }

  /** The watch cache holds a created pod as the create answered it, resourceVersion included. */
  @Test
  void theCacheHoldsACreatedPodAsTheCreateAnsweredIt() {
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null)
        .q("resourceVersion", Long.toString(client.store.currentRevision())), events);
    Registry pods = client.api.registry("", "pods");
    tools.jackson.databind.node.ObjectNode object = (tools.jackson.databind.node.ObjectNode) Codec.JSON.readTree(
        pod("a", "web"));
    byte[] answered = pods.createWithJson("default", object, false).json();
    assertThat(name(events.next())).isEqualTo("a");
    String key = new String(pods.type().key("default", "a"), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(new String(pods.cache().get(key).jsonBytes(), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo(new String(answered, java.nio.charset.StandardCharsets.UTF_8)).contains("\"resourceVersion\":\"");
  }

  /** What a writer said it would store counts only if the stored bytes are those: another write may have won. */
  @Test
  void anExpectedWriteWhoseBytesWereNotStoredIsIgnored() {
    Registry pods = client.api.registry("", "pods");
    String key = new String(pods.type().key("default", "a"), java.nio.charset.StandardCharsets.UTF_8);
    tools.jackson.databind.node.ObjectNode other = (tools.jackson.databind.node.ObjectNode) Codec.JSON.readTree(
        pod("a", "web"));
    ((tools.jackson.databind.node.ObjectNode) other.get("metadata")).put("namespace", "default");
    pods.cache().expectWrite(key, Codec.encode(other), other);
    ApiClient.Events web = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("labelSelector", "app=web")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), web);
    ApiClient.Events db = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("labelSelector", "app=db")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), db);
    // written as another API server sharing the store would write it, so that no expectation of this one matches
    tools.jackson.databind.node.ObjectNode stored = (tools.jackson.databind.node.ObjectNode) Codec.JSON.readTree(
        pod("a", "db"));
    stored.put("apiVersion", "v1").put("kind", "Pod");
    ((tools.jackson.databind.node.ObjectNode) stored.get("metadata")).put("namespace", "default");
    client.store.put(dev.tugboat.control.store.PutRequest.of(pods.type().key("default", "a"), Codec.encode(stored)))
        .join();
    assertThat(name(db.next())).isEqualTo("a");
    assertThat(web.queue).isEmpty();
  }

  @Test
  void fieldSelectorOnNodeNameFiltersWatchEvents() {
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", null, null).q("fieldSelector", "spec.nodeName=n1")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), events);
    client.create("pods", "default", pod("unbound", "x"));
    client.create("pods", "default", pod("bound", "x"));
    ApiClient.Reply bind = client.send(call("create", "pods", "default", "bound").sub("binding")
        .body("{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"bound\"},"
            + "\"target\":{\"kind\":\"Node\",\"name\":\"n1\"}}"));
    assertThat(bind.status()).isEqualTo(201);
    JsonNode added = events.next();
    assertThat(type(added)).isEqualTo("ADDED");
    assertThat(name(added)).isEqualTo("bound");
    assertThat(added.path("object").path("spec").path("nodeName").asString()).isEqualTo("n1");
  }

  @Test
  void oneWatchCacheServesManyWatchersTheSameEvents() {
    List<ApiClient.Events> watchers = new ArrayList<>();
    String from = Long.toString(client.store.currentRevision());
    for (int i = 0; i < 50; i++) {
      ApiClient.Events events = new ApiClient.Events();
      client.watch(call("watch", "pods", "default", null).q("resourceVersion", from), events);
      watchers.add(events);
    }
    Registry pods = registry("pods");
    assertThat(pods.cache().watcherCount()).isEqualTo(50);
    for (int i = 0; i < 5; i++) {
      client.create("pods", "default", pod("p" + i, "x"));
    }
    for (ApiClient.Events events : watchers) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        names.add(name(events.next()));
      }
      assertThat(names).containsExactly("p0", "p1", "p2", "p3", "p4");
    }
    watchers.get(0).disconnect();
    assertThat(pods.cache().watcherCount()).isEqualTo(49);
  }

  @Test
  void watchersThatAllowBookmarksGetThemWithTheCurrentRevision() {
    client.close();
    client = new ApiClient(Resources.Options.defaults().withBookmarkIntervalMs(50));
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("allowWatchBookmarks", "true")
        .q("resourceVersion", Long.toString(client.store.currentRevision())), events);
    client.create("pods", "default", pod("a", "x"));
    JsonNode bookmark;
    do {
      bookmark = events.next();
    } while (!type(bookmark).equals("BOOKMARK"));
    assertThat(bookmark.path("object").path("kind").asString()).isEqualTo("Pod");
    assertThat(bookmark.path("object").path("metadata").path("resourceVersion").asString()).isNotEmpty();
  }

  @Test
  void watchEndsAfterItsTimeout() throws Exception {
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("timeoutSeconds", "1"), events);
    assertThat(events.awaitClosed()).isTrue();
    assertThat(registry("pods").cache().watcherCount()).isZero();
  }

  @Test
  void watchOfABadSelectorIsABadRequest() {
    ApiClient.Reply reply = client.watch(call("watch", "pods", "default", null).q("labelSelector", "a in (b"),
        new ApiClient.Events());
    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.message()).startsWith("unable to parse requirement");
  }

  @Test
  void sendInitialEventsEndsWithAnAnnotatedBookmark() {
    client.create("pods", "default", pod("a", "x"));
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("sendInitialEvents", "true")
        .q("allowWatchBookmarks", "true").q("resourceVersionMatch", "NotOlderThan"), events);
    assertThat(type(events.next())).isEqualTo("ADDED");
    JsonNode end = events.next();
    assertThat(type(end)).isEqualTo("BOOKMARK");
    assertThat(end.path("object").path("metadata").path("annotations").path("k8s.io/initial-events-end")
        .asString()).isEqualTo("true");
  }

  @Test
  void listAtResourceVersionZeroIsServedFromTheWatchCache() throws Exception {
    client.create("pods", "default", pod("a", "x"));
    long revision = client.store.currentRevision();
    Registry pods = registry("pods");
    for (int i = 0; i < 200 && pods.cache().revision() < revision; i++) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    ApiClient.Reply list = client.send(call("list", "pods", "default", null).q("resourceVersion", "0"));
    assertThat(TestJson.names(list.body())).containsExactly("a");
    assertThat(Long.parseLong(list.resourceVersion())).isGreaterThanOrEqualTo(revision);
  }

  @Test
  void watchersAreToldToRelistWhenTheStoreEndsTheCachesWatch() {
    ApiClient.Events events = new ApiClient.Events();
    client.watch(call("watch", "pods", "default", null).q("resourceVersion",
        Long.toString(client.store.currentRevision())), events);
    client.store.close();
    JsonNode error = events.next();
    assertThat(type(error)).isEqualTo("ERROR");
    assertThat(error.path("object").path("code").asInt()).isEqualTo(410);
    assertThat(events.awaitClosed()).isTrue();
  }

  private Registry registry(String resource) {
    return client.api.registry("", resource);
  }
}
