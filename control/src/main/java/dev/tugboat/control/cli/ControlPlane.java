package dev.tugboat.control.cli;

import dev.tugboat.control.apiserver.ResourceApi;
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
    if (options.storeEndpoints != null && !options.storeEndpoints.isEmpty()) {
      throw new IllegalArgumentException("--store-endpoints: not supported yet (remote store clusters come with the "
          + "store's gRPC client); leave it out to use the embedded store");
    }
    Path dataDir = options.dataDirOrDefault().toAbsolutePath();
    Files.createDirectories(dataDir);
    KeyValueStore store = openEmbeddedStore(dataDir.resolve("store"));
    ResourceApi resources = null;
    try {
      resources = resourceLayer(store);
      KubeApiServer apiServer = KubeApiServer.start(
          new KubeApiServer.Options(dataDir, bindAddress, options.securePort, options.tokenAuthFile), resources);
      return new ControlPlane(store, resources, apiServer);
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeQuietly(resources);
      store.close();
      throw e;
    }
  }

  /** The store this machine's API server uses when no --store-endpoints are given. */
  static KeyValueStore openEmbeddedStore(Path storeDir) {
    throw new IllegalStateException("embedded store " + storeDir + ": not merged into this build yet");
  }

  /** The resource layer (storage semantics, validation, watch cache) over the store. */
  static ResourceApi resourceLayer(KeyValueStore store) {
    throw new IllegalStateException("resource layer: not merged into this build yet");
  }

  KubeApiServer apiServer() {
    return apiServer;
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
