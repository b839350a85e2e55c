package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.DeleteRangeResponse;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fabric8 kubernetes-client, as the node agent and Tugboat's controllers use it, against the whole control plane
 * ({@code tug up}'s embedded Raft store, resource layer and API server): CRUD, and an informer that follows the server
 * through two restarts on the same port.
 */
class Fabric8ClientAgainstControlPlaneTest {

  /** Every wait in this test: far above what a step takes on a loaded machine, far below a hang. */
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir
  Path dataDir;

  /**
   * What the client sent, in order: method and URI (lists, watches and their resourceVersions), and what came back
   * (a status code; for a watch over a WebSocket, 101: its events and errors come inside).
   */
  private final List<String> sent = new CopyOnWriteArrayList<>();

  private ServerOptions options(int port) {
    ServerOptions options = new ServerOptions();
    options.dataDir = dataDir;
    options.securePort = port;
    return options;
  }

  private KubernetesClient client(Path kubeconfig) throws IOException {
    Config config = Config.fromKubeconfig(Files.readString(kubeconfig));
    // fabric8's default first re-watch after a dropped watch is 1 s later, doubling per failure; a restart here
    // takes a second or two, so a shorter first step keeps the test short without changing what is exercised
    config.setWatchReconnectInterval(100);
    return new KubernetesClientBuilder().withConfig(config)
        .withHttpClientBuilderConsumer(builder -> builder.addOrReplaceInterceptor("recorder", new Interceptor() {
          @Override
          public void before(BasicBuilder request, HttpRequest httpRequest, RequestTags tags) {
            sent.add(describe(httpRequest));
          }

          @Override
          public void after(HttpRequest httpRequest, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> c) {
            sent.add("  -> " + response.code() + " for " + describe(httpRequest));
          }

          @Override
          public void afterConnectionFailure(HttpRequest httpRequest, Throwable failure) {
            sent.add("  -> " + failure + " for " + describe(httpRequest));
          }
        }))
        .build();
  }

  private static String describe(HttpRequest request) {
    return request.method() + " " + request.uri().getRawPath()
        + (request.uri().getRawQuery() == null ? "" : "?" + request.uri().getRawQuery());
  }

  private static long rv(HasMetadata object) {
    return Long.parseLong(object.getMetadata().getResourceVersion());
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
      }
      Thread.sleep(10);
    }
  }

  private static ConfigMap configMap(String namespace, String name, Map<String, String> labels, String mode) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels)
        .endMetadata().addToData("mode", mode).build();
  }

  @Test
  void createsReadsUpdatesPatchesAndDeletesThroughTheWholeControlPlane() throws Exception {
    try (ControlPlane plane = ControlPlane.start(options(0), InetAddress.getLoopbackAddress());
         KubernetesClient client = client(plane.apiServer().kubeconfig())) {
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("crud").endMetadata().build())
          .create();
      var configMaps = client.configMaps().inNamespace("crud");

      ConfigMap created = configMaps.resource(configMap("crud", "settings", Map.of("app", "web"), "one")).create();
      assertThat(created.getMetadata().getUid()).isNotBlank();
      assertThat(created.getMetadata().getCreationTimestamp()).isNotBlank();
      assertThat(created.getData()).containsEntry("mode", "one");
      ConfigMap generated = configMaps.resource(new ConfigMapBuilder().withNewMetadata().withGenerateName("gen-")
          .addToLabels("app", "other").endMetadata().build()).create();
      assertThat(generated.getMetadata().getName()).startsWith("gen-").hasSizeGreaterThan("gen-".length());
      assertThat(generated.getMetadata().getUid()).isNotEqualTo(created.getMetadata().getUid());
      assertThat(rv(generated)).isGreaterThan(rv(created));

      ConfigMap read = configMaps.withName("settings").get();
      assertThat(read.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(read.getMetadata().getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
      assertThat(configMaps.withLabel("app", "web").list().getItems()).extracting(c -> c.getMetadata().getName())
          .containsExactly("settings");
      assertThat(configMaps.withLabel("app").list().getItems()).hasSize(2);
      assertThat(configMaps.withLabelNotIn("app", "web").list().getItems()).extracting(c -> c.getMetadata().getName())
          .containsExactly(generated.getMetadata().getName());

      // update carries the resourceVersion it was given: optimistic concurrency
      read.getData().put("mode", "two");
      ConfigMap updated = configMaps.resource(read).update();
      assertThat(updated.getData()).containsEntry("mode", "two");
      assertThat(updated.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
      assertThat(rv(updated)).isGreaterThan(rv(generated));
      read.getData().put("mode", "stale");
      assertThatThrownBy(() -> configMaps.resource(read).update())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(409);
            assertThat(e.getStatus().getReason()).isEqualTo("Conflict");
            assertThat(e.getStatus().getMessage()).contains("settings");
          });
      assertThat(configMaps.withName("settings").get().getData()).containsEntry("mode", "two");

      // edit: fabric8 computes a JSON patch from the object it read
      ConfigMap edited = configMaps.withName("settings").edit(c -> new ConfigMapBuilder(c).addToData("extra", "e")
          .build());
      assertThat(edited.getData()).containsEntry("mode", "two").containsEntry("extra", "e");
      assertThat(rv(edited)).isGreaterThan(rv(updated));
      ConfigMap merged = configMaps.withName("settings").patch(PatchContext.of(PatchType.JSON_MERGE),
          "{\"data\":{\"extra\":null,\"merged\":\"m\"}}");
      assertThat(merged.getData()).containsOnly(Map.entry("mode", "two"), Map.entry("merged", "m"));
      assertThat(rv(merged)).isGreaterThan(rv(edited));

      assertThat(configMaps.withName("settings").delete()).hasSize(1);
      assertThat(configMaps.withName("settings").get()).isNull();
      assertThat(configMaps.list().getItems()).extracting(c -> c.getMetadata().getName())
          .containsExactly(generated.getMetadata().getName());
      assertThatThrownBy(() -> configMaps.resource(merged).update())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(404));

      var deployments = client.apps().deployments().inNamespace("crud");
      Deployment deployment = deployments.resource(new DeploymentBuilder()
          .withNewMetadata().withName("web").endMetadata()
          .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
          .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
          .withNewSpec().addNewContainer().withName("web").withImage("busybox:1").endContainer().endSpec()
          .endTemplate().endSpec().build()).create();
      assertThat(deployment.getMetadata().getGeneration()).isEqualTo(1L);
      // defaults the server fills in
      assertThat(deployment.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
      assertThat(deployment.getSpec().getRevisionHistoryLimit()).isEqualTo(10);
      Deployment scaled = deployments.withName("web").patch(PatchContext.of(PatchType.STRATEGIC_MERGE),
          "{\"spec\":{\"replicas\":3,\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"busybox:2\"}]}}}}");
      assertThat(scaled.getSpec().getReplicas()).isEqualTo(3);
      assertThat(scaled.getSpec().getTemplate().getSpec().getContainers()).singleElement()
          .satisfies(c -> assertThat(c.getImage()).isEqualTo("busybox:2"));
      assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);
      Deployment labelled = deployments.withName("web").edit(d -> new DeploymentBuilder(d).editMetadata()
          .addToLabels("tier", "front").endMetadata().build());
      assertThat(labelled.getMetadata().getGeneration()).as("metadata changes leave the generation").isEqualTo(2L);
      assertThat(rv(labelled)).isGreaterThan(rv(scaled));
      deployments.withName("web").delete();
      await("deployment web gone", () -> deployments.withName("web").get() == null);
    }
  }

  /** What an informer's handler saw, one line per call, in the order it was called. */
  private static final class RecordingHandler implements ResourceEventHandler<ConfigMap> {
    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void onAdd(ConfigMap object) {
      events.add("ADD " + object.getMetadata().getName() + " " + object.getData());
    }

    @Override
    public void onUpdate(ConfigMap before, ConfigMap after) {
      events.add("UPDATE " + after.getMetadata().getName() + " " + after.getData());
    }

    @Override
    public void onDelete(ConfigMap object, boolean finalStateUnknown) {
      events.add("DELETE " + object.getMetadata().getName());
    }

    /**
     * Waits for {@code expected} among the calls from the {@code since}th on, whatever else came between (a re-listing
     * informer repeats what it had as updates, and reports what changed while it was away in any order).
     */
    void awaitEvent(int since, String expected) throws InterruptedException {
      await("\"" + expected + "\" among the handler's calls since restart: " + since(since),
          () -> since(since).contains(expected));
    }

    private List<String> since(int since) {
      List<String> all = List.copyOf(events);
      return all.subList(since, all.size());
    }
  }

  private static Map<String, String> namesAndVersions(List<ConfigMap> items) {
    return items.stream().collect(Collectors.toMap(c -> c.getMetadata().getName(),
        c -> c.getMetadata().getResourceVersion(), (a, b) -> a, TreeMap::new));
  }

  /**
   * Threads that outlive what started them by design, one per process: the JDK's HttpClient selector (it ends when
   * its client is collected; the JDK 17 HttpClient has no close), fabric8's shared scheduler, Chronicle's releaser
   * and disk-space checker, the JDK's process reaper and cleaners.
   */
  private static final Pattern PROCESS_WIDE_THREADS = Pattern.compile(
      "HttpClient-\\d+-SelectorManager|CachedSingleThreadScheduler-.*|background~resource~releaser|.*disk~space~checker"
          + "|process reaper|Cleaner-\\d+");

  private static List<String> threadsStartedSince(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> !before.contains(thread) && !PROCESS_WIDE_THREADS.matcher(thread.getName()).matches())
        .map(Thread::getName).sorted().toList();
  }

  @Test
  void informerFollowsTheApiServerThroughTwoRestartsOnTheSamePort() throws Exception {
    Set<Thread> threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
    int port = LoopbackPorts.next();
    ControlPlane plane = ControlPlane.start(options(port), InetAddress.getLoopbackAddress());
    KubernetesClient client = null;
    SharedIndexInformer<ConfigMap> informer = null;
    try {
      client = client(plane.apiServer().kubeconfig());
      client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("informed").endMetadata()
          .build()).create();
      var configMaps = client.configMaps().inNamespace("informed");
      configMaps.resource(configMap("informed", "before", Map.of(), "one")).create();
      configMaps.resource(configMap("informed", "doomed", Map.of(), "one")).create();

      RecordingHandler handler = new RecordingHandler();
      int seen = 0;
      informer = configMaps.inform(handler, 0);
      SharedIndexInformer<ConfigMap> started = informer;
      await("informer synced", started::hasSynced);
      handler.awaitEvent(seen, "ADD before {mode=one}");
      handler.awaitEvent(seen, "ADD doomed {mode=one}");
      configMaps.resource(configMap("informed", "added", Map.of(), "one")).create();
      handler.awaitEvent(seen, "ADD added {mode=one}");
      configMaps.withName("added").edit(c -> new ConfigMapBuilder(c).addToData("mode", "two").build());
      handler.awaitEvent(seen, "UPDATE added {mode=two}");
      configMaps.withName("before").delete();
      handler.awaitEvent(seen, "DELETE before");

      for (int restart = 1; restart <= 2; restart++) {
        String round = "r" + restart;
        // the handler may hear of the last change before the informer notes its resourceVersion
        String current = configMaps.list().getMetadata().getResourceVersion();
        await("informer at resourceVersion " + current, () -> current.equals(started.lastSyncResourceVersion()));
        String informed = current;
        plane.close();
        if (restart == 2) {
          // While the API server is down, the store moves on without it: a ConfigMap goes and the history the
          // informer would resume from is compacted away. Its re-watch must get 410 Gone, and its re-list must
          // catch up, this deletion included.
          try (var store = ControlPlane.openEmbeddedStore(dataDir.resolve("store"))) {
            DeleteRangeResponse deleted = store.deleteRange(DeleteRangeRequest.key(
                "/registry/configmaps/informed/doomed".getBytes(StandardCharsets.UTF_8))).join();
            assertThat(deleted.deleted()).isEqualTo(1);
            store.compact(deleted.revision()).join();
          }
        }
        int restartedAt = sent.size();
        seen = handler.events.size();
        plane = ControlPlane.start(options(port), InetAddress.getLoopbackAddress());
        assertThat(plane.apiServer().localAddress().getPort()).isEqualTo(port);

        // right after the restart, whether or not the informer has reconnected yet
        String name = "after-" + restart;
        configMaps.resource(configMap("informed", name, Map.of(), "one")).create();
        handler.awaitEvent(seen, "ADD " + name + " {mode=one}");
        configMaps.withName("added").edit(c -> new ConfigMapBuilder(c).addToData("restart", round).build());
        handler.awaitEvent(seen, "UPDATE added {mode=two, restart=" + round + "}");
        configMaps.withName(name).delete();
        handler.awaitEvent(seen, "DELETE " + name);

        int informerCallsEnd = sent.size();
        Map<String, String> fresh = namesAndVersions(configMaps.list().getItems());
        await("informer store equals a fresh list " + fresh + " after restart " + restart,
            () -> namesAndVersions(started.getStore().list()).equals(fresh));
        assertThat(started.isWatching()).isTrue();

        // the collection reads between the restart and the test's own list are the informer's
        List<String> informerCalls = List.copyOf(sent).subList(restartedAt, informerCallsEnd).stream()
            .filter(call -> call.matches("GET /api/v1/namespaces/informed/configmaps(\\?.*)?")).toList();
        List<String> relists = informerCalls.stream().filter(call -> !call.contains("watch=true")).toList();
        if (restart == 1) {
          // a plane that starts on the same port writes nothing to the store, so the new watch cache's history
          // begins at the informer's resourceVersion and the watch resumes there
          assertThat(fresh).containsOnlyKeys("added", "doomed");
          assertThat(relists).as("the informer resumed its watch from resourceVersion " + informed).isEmpty();
          assertThat(informerCalls).allMatch(call -> call.contains("&resourceVersion=" + informed + "&"));
        } else {
          handler.awaitEvent(seen, "DELETE doomed");
          assertThat(fresh).containsOnlyKeys("added");
          assertThat(relists).as("the informer re-listed after 410 Gone for resourceVersion " + informed)
              .isNotEmpty();
        }
      }
    } finally {
      if (informer != null) {
        informer.close();
      }
      if (client != null) {
        client.close();
      }
      plane.close();
      System.out.println("fabric8 sent:\n  " + String.join("\n  ", sent));
    }
    await("the threads of the planes, the informer and the client end: " + threadsStartedSince(threadsBefore),
        () -> threadsStartedSince(threadsBefore).isEmpty());
    try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).as("the last plane let go of its port").isEqualTo(port);
    }
  }
}
