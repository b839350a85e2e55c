package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fabric8 kubernetes-client, as Tugboat's own components use it, with the kubeconfig the server wrote. */
class Fabric8ClientAgainstApiServerTest {

  @TempDir
  static Path dataDir;
  static TestApiServer api;
  static KubernetesClient client;

  @BeforeAll
  static void start() throws Exception {
    api = new TestApiServer(dataDir);
    Config config = Config.fromKubeconfig(Files.readString(api.server.kubeconfig()));
    client = new KubernetesClientBuilder().withConfig(config).build();
  }

  @AfterAll
  static void stop() {
    client.close();
    api.close();
  }

  @Test
  void listsAndGetsWithTheAdminClientCertificate() {
    assertThat(client.namespaces().list().getItems()).extracting(ns -> ns.getMetadata().getName())
        .contains("default", "kube-system");
    assertThat(client.namespaces().withName("default").get().getMetadata().getName()).isEqualTo("default");
    assertThat(client.namespaces().withName("absent").get()).isNull();
  }

  /** fabric8 watches over a WebSocket first (as kube-apiserver allows), so this is the WebSocket watch path. */
  @Test
  void watchDeliversEventsAsTheyHappen() throws Exception {
    BlockingQueue<String> events = new LinkedBlockingQueue<>();
    try (Watch ignored = client.namespaces().watch(new Watcher<Namespace>() {
      @Override
      public void eventReceived(Action action, Namespace namespace) {
        events.add(action + " " + namespace.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {}
    })) {
      assertThat(events.poll(30, TimeUnit.SECONDS)).isNotNull();
      api.resources.createNamespace("watched", 0);
      String event;
      do {
        event = events.poll(30, TimeUnit.SECONDS);
      } while (event != null && !event.endsWith(" watched"));
      assertThat(event).isEqualTo("ADDED watched");
    }
  }

  @Test
  void readOnlyTokenUserIsForbiddenToCreate() throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(api.server.kubeconfig()));
    config.setClientCertData(null);
    config.setClientKeyData(null);
    config.setOauthToken(TestApiServer.VIEWER_TOKEN);
    try (KubernetesClient viewer = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(viewer.namespaces().list().getItems()).isNotEmpty();
      Namespace namespace = new Namespace();
      namespace.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName("nope").build());
      try {
        viewer.namespaces().resource(namespace).create();
        throw new AssertionError("create succeeded");
      } catch (KubernetesClientException e) {
        assertThat(e.getCode()).isEqualTo(403);
        assertThat(e.getStatus().getMessage()).isEqualTo("namespaces is forbidden: User \"viewer\" cannot create "
            + "resource \"namespaces\" in API group \"\" at the cluster scope");
      }
    }
  }
}
