package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.PutRequest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class ObjectLifecycleTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  private static final String POD = "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\","
      + "\"image\":\"busybox\"}]}}";

  private void bind(String name, String node) {
    ApiClient.Reply reply = client.send(call("create", "pods", "default", name).sub("binding")
        .body("{\"metadata\":{\"name\":\"" + name + "\"},\"target\":{\"kind\":\"Node\",\"name\":\"" + node + "\"}}"));
    assertThat(reply.status()).isEqualTo(201);
  }

  @Test
  void deleteOfAnUnscheduledPodRemovesItAtOnce() {
    client.create("pods", "default", POD);
    ApiClient.Reply deleted = client.delete("pods", "default", "p");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(client.get("pods", "default", "p").status()).isEqualTo(404);
  }

  @Test
  void deleteOfABoundPodMarksItUntilItsNodeAgentConfirmsWithGraceZero() {
    client.create("pods", "default", POD);
    bind("p", "node-1");
    ApiClient.Reply marked = client.delete("pods", "default", "p");
    assertThat(marked.status()).isEqualTo(200);
    JsonNode pod = client.get("pods", "default", "p").body();
    assertThat(pod.path("metadata").path("deletionTimestamp").asString()).isNotEmpty();
    assertThat(pod.path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(30);
    ApiClient.Reply again = client.send(call("delete", "pods", "default", "p").q("gracePeriodSeconds", "10"));
    assertThat(again.body().path("metadata").path("deletionGracePeriodSeconds").asLong()).isEqualTo(10);
    ApiClient.Reply confirmed = client.send(call("delete", "pods", "default", "p")
        .body("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"gracePeriodSeconds\":0}"));
    assertThat(confirmed.status()).isEqualTo(200);
    assertThat(client.get("pods", "default", "p").status()).isEqualTo(404);
  }

  @Test
  void bindingAnAlreadyBoundPodIsAConflict() {
    client.create("pods", "default", POD);
    bind("p", "node-1");
    ApiClient.Reply reply = client.send(call("create", "pods", "default", "p").sub("binding")
        .body("{\"metadata\":{\"name\":\"p\"},\"target\":{\"kind\":\"Node\",\"name\":\"node-2\"}}"));
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.message()).contains("is already assigned to node \"node-1\"");
    JsonNode pod = client.get("pods", "default", "p").body();
    assertThat(pod.path("status").path("conditions").get(0).path("type").asString()).isEqualTo("PodScheduled");
  }

  @Test
  void objectWithFinalizersStaysUntilTheyAreRemoved() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\",\"finalizers\":[\"example.com/hold\"]}}");
    ApiClient.Reply marked = client.delete("configmaps", "default", "cm");
    assertThat(marked.status()).isEqualTo(200);
    JsonNode cm = client.get("configmaps", "default", "cm").body();
    assertThat(cm.path("metadata").path("deletionTimestamp").asString()).isNotEmpty();
    ApiClient.Reply added = client.patch("configmaps", "default", "cm", "application/merge-patch+json",
        "{\"metadata\":{\"finalizers\":[\"example.com/hold\",\"example.com/more\"]}}");
    assertThat(added.status()).isEqualTo(422);
    assertThat(added.message()).contains("no new finalizers can be added if the object is being deleted");
    ApiClient.Reply released = client.patch("configmaps", "default", "cm", "application/merge-patch+json",
        "{\"metadata\":{\"finalizers\":null}}");
    assertThat(released.status()).isEqualTo(200);
    assertThat(client.get("configmaps", "default", "cm").status()).isEqualTo(404);
  }

  @Test
  void orphanAndForegroundDeletionLeaveTheGarbageCollectorsFinalizerAndBackgroundDeletesAtOnce() {
    for (String[] policy : new String[][] {{"Orphan", "orphan"}, {"Foreground", "foregroundDeletion"}}) {
      client.create("configmaps", "default", "{\"metadata\":{\"name\":\"owner\"}}");
      ApiClient.Reply marked = client.send(call("delete", "configmaps", "default", "owner")
          .q("propagationPolicy", policy[0]));
      assertThat(marked.status()).isEqualTo(200);
      JsonNode owner = client.get("configmaps", "default", "owner").body();
      assertThat(owner.path("metadata").path("deletionTimestamp").asString()).as(policy[0]).isNotEmpty();
      assertThat(owner.path("metadata").path("finalizers").get(0).asString()).isEqualTo(policy[1]);
      // the collector, done, removes it and the object goes
      assertThat(client.patch("configmaps", "default", "owner", "application/merge-patch+json",
          "{\"metadata\":{\"finalizers\":null}}").status()).isEqualTo(200);
      assertThat(client.get("configmaps", "default", "owner").status()).isEqualTo(404);
    }
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"owner\"}}");
    assertThat(client.send(call("delete", "configmaps", "default", "owner").q("propagationPolicy", "Background"))
        .status()).isEqualTo(200);
    assertThat(client.get("configmaps", "default", "owner").status()).isEqualTo(404);
  }

  @Test
  void generateNameMakesAUniqueName() {
    ApiClient.Reply one = client.create("configmaps", "default", "{\"metadata\":{\"generateName\":\"cfg-\"}}");
    ApiClient.Reply two = client.create("configmaps", "default", "{\"metadata\":{\"generateName\":\"cfg-\"}}");
    String first = one.body().path("metadata").path("name").asString();
    String second = two.body().path("metadata").path("name").asString();
    assertThat(first).startsWith("cfg-").hasSize(9);
    assertThat(second).startsWith("cfg-").isNotEqualTo(first);
  }

  @Test
  void dryRunValidatesAndAnswersWithoutWriting() {
    long before = client.store.currentRevision();
    ApiClient.Reply created = client.send(call("create", "pods", "default", null).q("dryRun", "All").body(POD));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.body().path("spec").path("restartPolicy").asString()).isEqualTo("Always");
    assertThat(client.get("pods", "default", "p").status()).isEqualTo(404);
    ApiClient.Reply invalid = client.send(call("create", "pods", "default", null).q("dryRun", "All")
        .body("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}"));
    assertThat(invalid.status()).isEqualTo(422);
    client.create("pods", "default", POD);
    long afterCreate = client.store.currentRevision();
    ApiClient.Reply deleted = client.send(call("delete", "pods", "default", "p").q("dryRun", "All"));
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(client.get("pods", "default", "p").status()).isEqualTo(200);
    assertThat(client.store.currentRevision()).isEqualTo(afterCreate);
    assertThat(afterCreate).isEqualTo(before + 1);
  }

  @Test
  void namespaceWrittenByAnotherApiServerAdmitsContentAtOnce() {
    // straight into the store, as another API server over the same store would: this server's cache may lag
    client.store.put(PutRequest.of(
        "/registry/namespaces/elsewhere".getBytes(StandardCharsets.UTF_8),
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"elsewhere\"},\"spec\":{},\"status\":{\"phase\":\"Active\"}}"
            .getBytes(StandardCharsets.UTF_8))).join();
    assertThat(client.create("pods", "elsewhere", POD).status()).isEqualTo(201);
    assertThat(client.create("pods", "nowhere", POD).status()).isEqualTo(404);
  }

  @Test
  void deletedNamespaceTerminatesAndWaitsForItsFinalizer() {
    client.create("namespaces", null, "{\"metadata\":{\"name\":\"team\"}}");
    JsonNode ns = client.get("namespaces", null, "team").body();
    assertThat(ns.path("status").path("phase").asString()).isEqualTo("Active");
    assertThat(ns.path("spec").path("finalizers").get(0).asString()).isEqualTo("kubernetes");
    ApiClient.Reply deleted = client.delete("namespaces", null, "team");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.body().path("status").path("phase").asString()).isEqualTo("Terminating");
    ApiClient.Reply create = client.create("configmaps", "team", "{\"metadata\":{\"name\":\"cm\"}}");
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.message()).contains("unable to create new content in namespace team because it is being "
        + "terminated");
    ApiClient.Reply again = client.delete("namespaces", null, "team");
    assertThat(again.status()).isEqualTo(409);
    ApiClient.Reply finalized = client.send(call("update", "namespaces", null, "team").sub("finalize")
        .body("{\"metadata\":{\"name\":\"team\"},\"spec\":{\"finalizers\":[]}}"));
    assertThat(finalized.status()).isEqualTo(200);
    assertThat(client.get("namespaces", null, "team").status()).isEqualTo(404);
  }

  @Test
  void namespaceThatStartsTerminatingRefusesContentItAdmittedBefore() {
    client.create("namespaces", null, "{\"metadata\":{\"name\":\"team\"}}");
    assertThat(client.create("configmaps", "team", "{\"metadata\":{\"name\":\"first\"}}").status()).isEqualTo(201);
    assertThat(client.create("configmaps", "team", "{\"metadata\":{\"name\":\"second\"}}").status()).isEqualTo(201);
    assertThat(client.delete("namespaces", null, "team").status()).isEqualTo(200);
    ApiClient.Reply create = client.create("configmaps", "team", "{\"metadata\":{\"name\":\"third\"}}");
    assertThat(create.status()).isEqualTo(403);
    assertThat(create.message()).contains("because it is being terminated");
    assertThat(client.create("events", "team", "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{}}").status())
        .isEqualTo(201);
  }

  @Test
  void createInAMissingNamespaceIsNotFound() {
    ApiClient.Reply reply = client.create("configmaps", "nowhere", "{\"metadata\":{\"name\":\"cm\"}}");
    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.message()).isEqualTo("namespaces \"nowhere\" not found");
  }

  @Test
  void deleteWithAStaleResourceVersionPreconditionIsAConflict() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}");
    ApiClient.Reply reply = client.send(call("delete", "configmaps", "default", "cm")
        .body("{\"kind\":\"DeleteOptions\",\"apiVersion\":\"v1\",\"preconditions\":{\"resourceVersion\":\"1\"}}"));
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.message()).contains("Precondition failed: ResourceVersion in precondition: 1");
  }

  @Test
  void deploymentScaleSubresourceReadsAndWritesReplicas() {
    client.create("apps/v1/deployments", "default", """
        {"metadata":{"name":"d"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"d"}},
         "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");
    JsonNode scale = client.send(call("get", "apps/v1/deployments", "default", "d").sub("scale")).body();
    assertThat(scale.path("kind").asString()).isEqualTo("Scale");
    assertThat(scale.path("spec").path("replicas").asInt()).isEqualTo(2);
    assertThat(scale.path("status").path("selector").asString()).isEqualTo("app=d");
    ApiClient.Reply scaled = client.send(call("patch", "apps/v1/deployments", "default", "d").sub("scale")
        .contentType("application/merge-patch+json").body("{\"spec\":{\"replicas\":5}}"));
    assertThat(scaled.body().path("spec").path("replicas").asInt()).isEqualTo(5);
    JsonNode deployment = client.get("apps/v1/deployments", "default", "d").body();
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(5);
    assertThat(deployment.path("metadata").path("generation").asLong()).isEqualTo(2);
  }

  @Test
  void deleteCollectionDeletesWhatTheSelectorMatches() {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"1\"}}}");
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"b\",\"labels\":{\"x\":\"2\"}}}");
    ApiClient.Reply reply = client.send(call("deletecollection", "configmaps", "default", null)
        .q("labelSelector", "x=1"));
    assertThat(reply.status()).isEqualTo(200);
    assertThat(TestJson.names(client.list("configmaps", "default").body())).containsExactly("b");
  }

  @Test
  void updatesThatChangeNothingKeepTheResourceVersion() {
    JsonNode cm = client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"},\"data\":{\"a\":\"b\"}}")
        .body();
    ApiClient.Reply same = client.update("configmaps", "default", "cm", cm);
    assertThat(same.resourceVersion()).isEqualTo(cm.path("metadata").path("resourceVersion").asString());
  }

  @Test
  void podStatusIsWrittenOnlyThroughTheStatusSubresource() {
    client.create("pods", "default", POD);
    ApiClient.Reply main = client.patch("pods", "default", "p", "application/merge-patch+json",
        "{\"status\":{\"phase\":\"Running\"}}");
    assertThat(main.body().path("status").path("phase").asString()).isEqualTo("Pending");
    ApiClient.Reply status = client.send(call("patch", "pods", "default", "p").sub("status")
        .contentType("application/strategic-merge-patch+json")
        .body("{\"status\":{\"phase\":\"Running\",\"podIP\":\"10.244.0.5\"}}"));
    assertThat(status.body().path("status").path("phase").asString()).isEqualTo("Running");
    assertThat(status.body().path("status").path("podIP").asString()).isEqualTo("10.244.0.5");
  }

  @Test
  void podSpecIsImmutableButForImages() {
    client.create("pods", "default", POD);
    ApiClient.Reply image = client.patch("pods", "default", "p", "application/strategic-merge-patch+json",
        "{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}");
    assertThat(image.status()).isEqualTo(200);
    ApiClient.Reply restart = client.patch("pods", "default", "p", "application/merge-patch+json",
        "{\"spec\":{\"restartPolicy\":\"Never\"}}");
    assertThat(restart.status()).isEqualTo(422);
    assertThat(restart.body().path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec");
    assertThat(restart.message()).contains("pod updates may not change fields other than");
  }

  @Test
  void podLogsAndExecAnswerServiceUnavailableUntilTheNodeAgentProxyExists() {
    client.create("pods", "default", POD);
    ApiClient.Reply logs = client.send(call("get", "pods", "default", "p").sub("log"));
    assertThat(logs.status()).isEqualTo(503);
    assertThat(logs.message()).contains("pods/log");
  }

  @Test
  void evictionDeletesThePodWithItsDeleteOptions() {
    client.create("pods", "default", POD);
    bind("p", "node-1");
    ApiClient.Reply evicted = client.send(call("create", "pods", "default", "p").sub("eviction")
        .body("{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p\"},"
            + "\"deleteOptions\":{\"gracePeriodSeconds\":0}}"));
    assertThat(evicted.status()).isEqualTo(201);
    assertThat(client.get("pods", "default", "p").status()).isEqualTo(404);
  }
}
