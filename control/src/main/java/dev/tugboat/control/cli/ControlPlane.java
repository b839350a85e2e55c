package dev.tugboat.control.cli;

import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.resources.Resources;
import dev.tugboat.control.store.replication.ReplicatedStore;
import dev.tugboat.control.store.remote.RemoteKeyValueStore;
import java.util.List;
import java.time.Clock;
import dev.tugboat.control.apiserver.transport.KubeApiServer;
import dev.tugboat.control.store.KeyValueStore;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control-plane processes of one machine, started in dependency order and closed in reverse. */
final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final KeyValueStore store;
  private final ResourceApi resources;
  private final KubeApiServer apiServer;

  private ControlPlane(KeyValueStore store, ResourceApi resources, KubeApiServer apiServer) {
    this.store = store;
    this.resources = resources;
    this.apiServer = apiServer;
  }

  static ControlPlane start(ServerOptions options, InetAddress bindAddress) throws IOException, InterruptedException {
    Path dataDir = options.dataDirOrDefault().toAbsolutePath();
    Files.createDirectories(dataDir);
    boolean remote = options.storeEndpoints != null && !options.storeEndpoints.isEmpty();
    KeyValueStore store = remote ? connectRemoteStore(options.storeEndpoints)
        : openEmbeddedStore(dataDir.resolve("store"));
    ResourceApi resources = null;
    try {
      resources = resourceLayer(store, bindAddress, options.securePort);
      KubeApiServer apiServer = KubeApiServer.start(
          new KubeApiServer.Options(dataDir, bindAddress, options.securePort, options.tokenAuthFile), resources);
      return new ControlPlane(store, resources, apiServer);
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeQuietly(resources);
      store.close();
      throw e;
    }
  }

  /**
   * The store this machine's API server uses when no --store-endpoints are given: a one-member Raft cluster,
   * durable in a dir.
   */
  static KeyValueStore openEmbeddedStore(Path storeDir) {
    return ReplicatedStore.single(storeDir);
  }

  /** A store cluster over the etcd v3 API; fails now, naming the endpoint, if it does not answer. */
  static KeyValueStore connectRemoteStore(List<String> endpoints) {
    RemoteKeyValueStore store = RemoteKeyValueStore.connect(endpoints);
    try {
      store.currentRevision();
      return store;
    } catch (RuntimeException e) {
      store.close();
      Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("--store-endpoints " + String.join(",", endpoints) + ": the store does not answer: "
          + cause.getMessage(), cause);
    }
  }

  /**
   * The resource layer (storage semantics, validation, watch cache) over the store; the kubernetes service's
   * endpoints advertise the bind address, or loopback when bound to every address, unless the port is not chosen yet.
   */
  static ResourceApi resourceLayer(KeyValueStore store, InetAddress bindAddress, int port) {
    if (port == 0) {
      return Resources.over(store, Clock.systemUTC(), Resources.Options.defaults());
    }
    String advertise = bindAddress.isAnyLocalAddress() ? InetAddress.getLoopbackAddress().getHostAddress()
        : bindAddress.getHostAddress();
    return Resources.over(store, Clock.systemUTC(), Resources.Options.defaults().withAdvertise(advertise, port));
  }

  KubeApiServer apiServer() {
    return apiServer;
  }

  ResourceApi resources() {
    return resources;
  }

  /** Starts, prints how to reach the cluster, and serves until the JVM is asked to stop. */
  static int runUntilStopped(ServerOptions options, InetAddress bindAddress, String command)
      throws IOException, InterruptedException {
    ControlPlane plane;
    try {
      plane = start(options, bindAddress);
    } catch (IllegalArgumentException | IllegalStateException | IOException e) {
      System.err.println(command + ": " + e.getMessage());
      return 1;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      plane.close();
      stopped.countDown();
    }, "tug-shutdown"));
    printUsage(System.out, plane.apiServer);
    stopped.await();
    return 0;
  }

  static void printUsage(PrintStream out, KubeApiServer apiServer) {
    out.println("Tugboat API server listening on " + apiServer.url());
    out.println("To use it:");
    out.println("  export KUBECONFIG=" + apiServer.kubeconfig());
    out.println("  kubectl get namespaces");
    out.flush();
  }

  @Override
  public void close() {
    LOG.info("stopping the control plane");
    apiServer.close();
    closeQuietly(resources);
    store.close();
  }

  private static void closeQuietly(Object resource) {
    if (resource instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception e) {
        LOG.warn("close {}: {}", resource.getClass().getSimpleName(), e.toString());
      }
    }
  }
}
