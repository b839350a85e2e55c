package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * etcd's JSON gateway on the client port, driven by the real curl as etcd's documentation drives it, with the real
 * etcdctl on the same port seeing the same data; streams (watch, keep-alive) read line by line.
 */
class EtcdJsonGatewayTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static MvccKeyValueStore store;
  private static EtcdGrpcServer server;
  private static String base;
  private static Etcdctl etcdctl;

  @BeforeAll
  static void start() {
    store = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(store, new SingleMemberCluster("tug-gw", List.of("http://127.0.0.1:2380"),
        List.of("http://127.0.0.1:2379"), "t"), List.of(new InetSocketAddress("127.0.0.1", 0)));
    int port = server.addresses().get(0).getPort();
    base = "http://127.0.0.1:" + port;
    etcdctl = new Etcdctl("127.0.0.1:" + port);
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String text(JsonNode base64) {
    return new String(Base64.getDecoder().decode(base64.asString()), StandardCharsets.UTF_8);
  }

  private static Curl.Response post(String path, String body) {
    return Curl.get(base + path, "-X", "POST", "-d", body);
  }

  private static JsonNode ok(Curl.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.headers()).containsIgnoringCase("Content-Type: application/json");
    return JSON.readTree(r.body());
  }

  @Test
  void putRangeTxnAndDeleteAsEtcdsDocumentationShowsThem() {
    JsonNode put = ok(post("/v3/kv/put", "{\"key\": \"" + b64("gw/foo") + "\", \"value\": \"" + b64("bar") + "\"}"));
    // 64-bit integers are strings in protobuf's JSON, and fields keep their proto names
    assertThat(put.path("header").path("revision").isString()).isTrue();
    assertThat(put.path("header").has("raft_term")).isTrue();
    assertThat(etcdctl.run("get", "gw/foo", "--print-value-only").stdout()).isEqualTo("bar\n");

    etcdctl.run("put", "gw/other", "x");
    JsonNode range = ok(post("/v3/kv/range", "{\"key\": \"" + b64("gw/") + "\", \"range_end\": \"" + b64("gw0")
        + "\"}"));
    assertThat(range.path("count").asString()).isEqualTo("2");
    assertThat(text(range.path("kvs").get(0).path("key"))).isEqualTo("gw/foo");
    assertThat(text(range.path("kvs").get(0).path("value"))).isEqualTo("bar");
    assertThat(range.path("kvs").get(0).path("version").asString()).isEqualTo("1");

    JsonNode txn = ok(post("/v3/kv/txn", "{\"compare\": [{\"target\": \"VALUE\", \"key\": \"" + b64("gw/foo")
        + "\", \"value\": \"" + b64("bar") + "\"}], \"success\": [{\"request_put\": {\"key\": \"" + b64("gw/foo")
        + "\", \"value\": \"" + b64("baz") + "\"}}]}"));
    assertThat(txn.path("succeeded").asBoolean()).isTrue();
    assertThat(etcdctl.run("get", "gw/foo", "--print-value-only").stdout()).isEqualTo("baz\n");

    JsonNode deleted = ok(post("/v3beta/kv/deleterange", "{\"key\": \"" + b64("gw/other") + "\"}"));
    assertThat(deleted.path("deleted").asString()).isEqualTo("1");
  }

  @Test
  void leasesMembersAndStatus() {
    JsonNode grant = ok(post("/v3/lease/grant", "{\"TTL\": 30}"));
    String id = grant.path("ID").asString();
    assertThat(grant.path("TTL").asString()).isEqualTo("30");
    ok(post("/v3/kv/put", "{\"key\": \"" + b64("gw/leased") + "\", \"value\": \"" + b64("v") + "\", \"lease\": \""
        + id + "\"}"));
    JsonNode ttl = ok(post("/v3/kv/lease/timetolive", "{\"ID\": " + id + ", \"keys\": true}"));
    assertThat(ttl.path("grantedTTL").asString()).isEqualTo("30");
    assertThat(text(ttl.path("keys").get(0))).isEqualTo("gw/leased");

    JsonNode members = ok(post("/v3/cluster/member/list", ""));
    assertThat(members.path("members").get(0).path("name").asString()).isEqualTo("tug-gw");
    JsonNode status = ok(post("/v3/maintenance/status", ""));
    assertThat(status.path("version").asString()).isEqualTo(MaintenanceService.ETCD_API_VERSION);

    ok(post("/v3/lease/revoke", "{\"ID\": \"" + id + "\"}"));
    assertThat(etcdctl.run("get", "gw/leased").stdout()).isEmpty();
  }

  @Test
  void badRequestsGetGrpcGatewaysErrorsNamingTheProblem() {
    Curl.Response notJson = post("/v3/kv/put", "{\"key\": ");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).path("code").asInt()).isEqualTo(3);

    Curl.Response unknownField = post("/v3/kv/put", "{\"key\": \"" + b64("k") + "\", \"colour\": \"red\"}");
    assertThat(unknownField.status()).isEqualTo(400);
    assertThat(JSON.readTree(unknownField.body()).path("message").asString()).contains("colour");

    Curl.Response noKey = post("/v3/kv/put", "{\"value\": \"" + b64("v") + "\"}");
    assertThat(noKey.status()).isEqualTo(400);
    assertThat(JSON.readTree(noKey.body()).path("error").asString()).isEqualTo("etcdserver: key is not provided");

    Curl.Response noLease = post("/v3/lease/revoke", "{\"ID\": 12345}");
    assertThat(noLease.status()).as(noLease.body()).isEqualTo(404);
    assertThat(JSON.readTree(noLease.body()).path("code").asInt()).isEqualTo(5);
    assertThat(JSON.readTree(noLease.body()).path("message").asString())
        .isEqualTo("etcdserver: requested lease not found");
    // as etcd: the time to live of a lease that does not exist is -1, not an error
    assertThat(ok(post("/v3/lease/timetolive", "{\"ID\": 12345}")).path("TTL").asString()).isEqualTo("-1");

    assertThat(post("/v3/kv/nothing", "{}").status()).isEqualTo(404);
    assertThat(Curl.get(base + "/v3/kv/range").status()).as("GET").isEqualTo(405);
    // the plain endpoints are still there
    assertThat(Curl.get(base + "/health").status()).isEqualTo(200);
  }

  @Test
  void aWatchStreamsResultLinesUntilTheClientLeavesAndAKeepAliveEndsOnceAnswered() throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest watch = HttpRequest.newBuilder(URI.create(base + "/v3/watch"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"create_request\": {\"key\": \"" + b64("gw/watched") + "\"}}"))
        .build();
    HttpResponse<java.io.InputStream> stream = http.send(watch, HttpResponse.BodyHandlers.ofInputStream());
    assertThat(stream.statusCode()).isEqualTo(200);
    List<JsonNode> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      lines.add(JSON.readTree(reader.readLine()));
      assertThat(lines.get(0).path("result").path("created").asBoolean()).isTrue();
      CompletableFuture<String> event = CompletableFuture.supplyAsync(() -> {
        try {
          return reader.readLine();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      etcdctl.run("put", "gw/watched", "seen");
      JsonNode changed = JSON.readTree(event.get(20, TimeUnit.SECONDS));
      JsonNode kv = changed.path("result").path("events").get(0).path("kv");
      assertThat(text(kv.path("key"))).isEqualTo("gw/watched");
      assertThat(text(kv.path("value"))).isEqualTo("seen");
    }

    String id = ok(post("/v3/lease/grant", "{\"TTL\": 20}")).path("ID").asString();
    HttpResponse<String> keepAlive = http.send(HttpRequest.newBuilder(URI.create(base + "/v3/lease/keepalive"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"ID\": \"" + id + "\"}")).timeout(Duration.ofSeconds(20)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(keepAlive.statusCode()).isEqualTo(200);
    JsonNode renewed = JSON.readTree(keepAlive.body().strip());
    assertThat(renewed.path("result").path("ID").asString()).isEqualTo(id);
    assertThat(renewed.path("result").path("TTL").asString()).isEqualTo("20");
  }
}
