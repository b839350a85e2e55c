package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ResourcesCrudTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  static final String POD = """
      {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","labels":{"app":"web"}},
       "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}""";

  @Test
  void createdPodHasIdentityDefaultsAndResourceVersionFromTheStore() {
    ApiClient.Reply created = client.create("pods", "default", POD);
    assertThat(created.status()).isEqualTo(201);
    JsonNode pod = created.body();
    assertThat(pod.path("metadata").path("uid").asString()).isNotEmpty();
    assertThat(pod.path("metadata").path("creationTimestamp").asString()).endsWith("Z");
    assertThat(pod.path("metadata").path("namespace").asString()).isEqualTo("default");
    assertThat(pod.path("metadata").path("generation").asLong()).isEqualTo(1);
    assertThat(Long.parseLong(created.resourceVersion())).isEqualTo(client.store.currentRevision());
    assertThat(pod.path("spec").path("restartPolicy").asString()).isEqualTo("Always");
    assertThat(pod.path("spec").path("dnsPolicy").asString()).isEqualTo("ClusterFirst");
    assertThat(pod.path("spec").path("terminationGracePeriodSeconds").asLong()).isEqualTo(30);
    assertThat(pod.path("spec").path("schedulerName").asString()).isEqualTo("default-scheduler");
    assertThat(pod.path("spec").path("serviceAccountName").asString()).isEqualTo("default");
    JsonNode container = pod.path("spec").path("containers").get(0);
    assertThat(container.path("imagePullPolicy").asString()).isEqualTo("IfNotPresent");
    assertThat(container.path("terminationMessagePath").asString()).isEqualTo("/dev/termination-log");
    assertThat(pod.path("status").path("phase").asString()).isEqualTo("Pending");
    assertThat(pod.path("status").path("qosClass").asString()).isEqualTo("BestEffort");

    ApiClient.Reply got = client.get("pods", "default", "web");
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.body()).isEqualTo(pod);
  }

  /**
   * A request the transport handed to a worker is served on that worker, not queued to another: with every other
   * worker busy, a create and a get made from a worker still get their answers (the store's part finishes elsewhere).
   */
  @Test
  void requestHandedToTheRequestExecutorIsServedOnThatThreadWithoutAnotherHandOff() throws Exception {
    int workers = Resources.Options.defaults().workers();
    CountDownLatch othersBusy = new CountDownLatch(workers - 1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      for (int i = 0; i < workers - 1; i++) {
        client.api.requestExecutor().execute(() -> {
          othersBusy.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertThat(othersBusy.await(10, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<String> servedOn = new CompletableFuture<>();
      CompletableFuture<int[]> statuses = new CompletableFuture<>();
      client.api.requestExecutor().execute(() -> {
        servedOn.complete(Thread.currentThread().getName());
        int created = client.api.handle(call("create", "pods", "default", null).body(POD).request()).join().status();
        int got = client.api.handle(call("get", "pods", "default", "web").request()).join().status();
        statuses.complete(new int[] {created, got});
      });
      assertThat(statuses.get(10, TimeUnit.SECONDS)).containsExactly(201, 200);
      assertThat(servedOn.get()).startsWith("tug-resources-");
    } finally {
      release.countDown();
    }
    // from any other thread, handle() hands the request to a worker
    assertThat(client.get("pods", "default", "web").status()).isEqualTo(200);
  }

  @Test
  void createOfAnExistingNameIsAlreadyExists() {
    client.create("pods", "default", POD);
    ApiClient.Reply again = client.create("pods", "default", POD);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.reason()).isEqualTo("AlreadyExists");
    assertThat(again.message()).isEqualTo("pods \"web\" already exists");
  }

  @Test
  void updateWithAStaleResourceVersionIsAConflictWithKubernetesMessage() {
    ObjectNode pod = (ObjectNode) client.create("pods", "default", POD).body();
    ObjectNode first = pod.deepCopy();
    ((ObjectNode) first.path("metadata").path("labels")).put("v", "1");
    ApiClient.Reply updated = client.update("pods", "default", "web", first);
    assertThat(updated.status()).isEqualTo(200);
    assertThat(Long.parseLong(updated.resourceVersion())).isGreaterThan(Long.parseLong(
        pod.path("metadata").path("resourceVersion").asString()));
    ObjectNode stale = pod.deepCopy();
    ((ObjectNode) stale.path("metadata").path("labels")).put("v", "2");
    ApiClient.Reply conflict = client.update("pods", "default", "web", stale);
    assertThat(conflict.status()).isEqualTo(409);
    assertThat(conflict.reason()).isEqualTo("Conflict");
    assertThat(conflict.message()).isEqualTo("Operation cannot be fulfilled on pods \"web\": the object has been "
        + "modified; please apply your changes to the latest version and try again");
  }

  @Test
  void getOfAMissingObjectIsNotFound() {
    ApiClient.Reply missing = client.get("pods", "default", "nope");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.reason()).isEqualTo("NotFound");
    assertThat(missing.message()).isEqualTo("pods \"nope\" not found");
    assertThat(missing.body().path("details").path("kind").asString()).isEqualTo("pods");
  }

  @Test
  void builtInNamespacesAndTheKubernetesServiceExistAtStart() {
    JsonNode namespaces = client.list("namespaces", null).body();
    assertThat(namespaces.path("kind").asString()).isEqualTo("NamespaceList");
    assertThat(TestJson.names(namespaces)).containsExactly("default", "kube-node-lease", "kube-public",
        "kube-system");
    JsonNode kubernetes = client.get("services", "default", "kubernetes").body();
    assertThat(kubernetes.path("spec").path("clusterIP").asString()).isEqualTo("10.96.0.1");
  }

  @Test
  void listResourceVersionIsTheStoreRevision() {
    client.create("pods", "default", POD);
    ApiClient.Reply list = client.list("pods", "default");
    assertThat(list.body().path("kind").asString()).isEqualTo("PodList");
    assertThat(Long.parseLong(list.resourceVersion())).isEqualTo(client.store.currentRevision());
    assertThat(TestJson.names(list.body())).containsExactly("web");
  }

  @Test
  void deploymentGetsKubernetesDefaults() {
    JsonNode deployment = client.create("apps/v1/deployments", "default", """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"selector":{"matchLabels":{"app":"d"}},
                 "template":{"metadata":{"labels":{"app":"d"}},
                             "spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""").body();
    assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(1);
    assertThat(deployment.path("spec").path("strategy").path("type").asString()).isEqualTo("RollingUpdate");
    assertThat(deployment.path("spec").path("strategy").path("rollingUpdate").path("maxSurge").asString())
        .isEqualTo("25%");
    assertThat(deployment.path("spec").path("revisionHistoryLimit").asInt()).isEqualTo(10);
    assertThat(deployment.path("spec").path("progressDeadlineSeconds").asInt()).isEqualTo(600);
    assertThat(deployment.path("spec").path("template").path("spec").path("containers").get(0)
        .path("imagePullPolicy").asString()).isEqualTo("Always");
  }

  @Test
  void generationIsBumpedBySpecChangesOnly() {
    client.create("apps/v1/deployments", "default", """
        {"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"d"}},
         "template":{"metadata":{"labels":{"app":"d"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}""");
    ApiClient.Reply labelled = client.patch("apps/v1/deployments", "default", "d", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assertThat(labelled.body().path("metadata").path("generation").asLong()).isEqualTo(1);
    ApiClient.Reply scaled = client.patch("apps/v1/deployments", "default", "d", "application/merge-patch+json",
        "{\"spec\":{\"replicas\":3}}");
    assertThat(scaled.body().path("metadata").path("generation").asLong()).isEqualTo(2);
    ApiClient.Reply status = client.send(call("patch", "apps/v1/deployments", "default", "d").sub("status")
        .contentType("application/merge-patch+json").body("{\"status\":{\"replicas\":3}}"));
    assertThat(status.status()).isEqualTo(200);
    assertThat(status.body().path("metadata").path("generation").asLong()).isEqualTo(2);
    assertThat(status.body().path("status").path("replicas").asInt()).isEqualTo(3);
  }

  @Test
  void updateOfARecreatedObjectWithTheOldUidIsAConflict() {
    ObjectNode old = (ObjectNode) client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}").body();
    client.delete("configmaps", "default", "cm");
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}");
    ((ObjectNode) old.path("metadata")).remove("resourceVersion");
    ApiClient.Reply reply = client.update("configmaps", "default", "cm", old);
    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.message()).contains("Precondition failed: UID in precondition");
  }
}
