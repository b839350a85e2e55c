package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.kinds.ServiceAllocator;
import dev.tugboat.control.apiserver.resources.kinds.ServiceCidr;
import dev.tugboat.control.apiserver.resources.watchcache.WatchCache;
import dev.tugboat.control.store.KeyValueStore;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.node.ObjectNode;

/**
 * The resource layer over a {@link KeyValueStore}: {@code Resources.over(store, clock)} serves every resource of
 * {@link #resources()} and makes sure the built-in namespaces and the {@code kubernetes} service exist.
 */
public final class Resources implements ResourceApi, AutoCloseable {

  /**
   * @param serviceCidr          the range cluster IPs come from; its first address is the kubernetes service's
   * @param nodePortMin          lowest node port handed out
   * @param nodePortMax          highest node port handed out
   * @param bookmarkIntervalMs   how often watchers that allow bookmarks get one (Kubernetes: about a minute)
   * @param watchHistory         changes kept per resource for watches that resume from a resourceVersion
   * @param workers              threads serving requests: their checks, decoding and encoding, and the store calls
   *                             that still wait there (lists catching up, deletecollection, subresources, bootstrap);
   *                             creates, updates, patches, deletes and gets no longer hold one while the store works
   * @param advertiseAddress     the API server's address for the kubernetes Endpoints, or null to leave them out
   * @param advertisePort        its port
   */
  public record Options(String serviceCidr, int nodePortMin, int nodePortMax, long bookmarkIntervalMs,
                        int watchHistory, int workers, String advertiseAddress, int advertisePort) {

    public static Options defaults() {
      // 8 workers, 32 while every write and get held one until the store answered. tug bench apiserver --cases
      // create,memory, 2026-11-29, busy machine, back to back: the server peaked at 40 threads instead of 63 (63
      // with 32 workers and writes already off them), 0.207 ms of CPU per create instead of 0.370 (0.31 with 32)
      return new Options("10.96.0.0/12", 30000, 32767, 60_000, 10_000, 8, null, 6443);
    }

    public Options withBookmarkIntervalMs(long interval) {
      return new Options(serviceCidr, nodePortMin, nodePortMax, interval, watchHistory, workers, advertiseAddress,
          advertisePort);
    }

    public Options withWatchHistory(int history) {
      return new Options(serviceCidr, nodePortMin, nodePortMax, bookmarkIntervalMs, history, workers,
          advertiseAddress, advertisePort);
    }

    public Options withAdvertise(String address, int port) {
      return new Options(serviceCidr, nodePortMin, nodePortMax, bookmarkIntervalMs, watchHistory, workers, address,
          port);
    }
  }

  /**
   * One per core: their work is CPU (decoding, patching, validating, encoding what the store read), so more would
   * only queue for the cores, and fewer would cap updates and patches below what the machine does.
   */
  private static final int AFTER_STORE_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
  private final ResourceHandler handler;
  private final ExecutorService workers;
  /**
   * Where a request goes on once the store has answered (a get's decoding, an update's change, a lost race's retry):
   * threads apart from the workers, because a caller on a worker may wait for such a request (the node authorizer
   * looks up a kubelet's pod so), and with every worker waiting, work queued behind them would never run. They wait
   * for nothing but the store.
   */
  private final ExecutorService afterStore;
  private final ScheduledExecutorService scheduler;
  private final List<WatchCache> caches;
  private final Map<String, Registry> registries;
  private final ServiceCidr cidr;

  private Resources(KeyValueStore store, Clock clock, Options options) {
    this.cidr = ServiceCidr.parse(options.serviceCidr());
    ServiceAllocator allocator = new ServiceAllocator(store, cidr, options.nodePortMin(), options.nodePortMax());
    this.workers = Executors.newFixedThreadPool(options.workers(), daemonThreads("tug-resources"));
    this.afterStore = Executors.newFixedThreadPool(AFTER_STORE_THREADS, daemonThreads("tug-after-store"));
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("tug-watch-timers"));
    List<ResourceType> types = Catalog.types(allocator);
    Map<String, Registry> map = new LinkedHashMap<>();
    java.util.ArrayList<WatchCache> cacheList = new java.util.ArrayList<>();
    WatchCache namespaceCache = null;
    for (ResourceType type : types) {
      WatchCache cache = new WatchCache(type, store, scheduler, options.watchHistory(), options.bookmarkIntervalMs());
      cacheList.add(cache);
      if (type.group().isEmpty() && type.resource().equals("namespaces")) {
        namespaceCache = cache;
      }
    }
    NamespaceLifecycle lifecycle = new NamespaceLifecycle(store, "/registry/namespaces/", namespaceCache);
    for (int i = 0; i < types.size(); i++) {
      ResourceType type = types.get(i);
      map.put(ResourceHandler.routeKey(type.group(), type.info().version(), type.resource()),
          new Registry(type, store, clock, cacheList.get(i), lifecycle, afterStore));
    }
    this.registries = map;
    this.caches = List.copyOf(cacheList);
    this.handler = new ResourceHandler(map, workers, afterStore, clock);
  }

  /** The resource layer with default options (service CIDR 10.96.0.0/12, node ports 30000-32767). */
  public static Resources over(KeyValueStore store, Clock clock) {
    return over(store, clock, Options.defaults());
  }

  public static Resources over(KeyValueStore store, Clock clock, Options options) {
    Resources resources = new Resources(store, clock, options);
    resources.bootstrap(options);
    for (WatchCache cache : resources.caches) {
      cache.start();
    }
    // reading each typed kind's field shapes loads fabric8's model classes; do it before clients come
    resources.workers.execute(() -> resources.registries.values().forEach(r -> TypedCheck.warmUp(r.type())));
    return resources;
  }

  /** Creates what every cluster has from the start, keeping whatever already exists. */
  private void bootstrap(Options options) {
    Registry namespaces = registry("", "namespaces");
    for (String name : List.of("default", "kube-system", "kube-public", "kube-node-lease")) {
      ObjectNode namespace = Codec.NODES.objectNode();
      namespace.putObject("metadata").put("name", name);
      createIfAbsent(namespaces, null, namespace);
    }
    ObjectNode service = Codec.NODES.objectNode();
    ObjectNode metadata = service.putObject("metadata");
    metadata.put("name", "kubernetes");
    ObjectNode labels = metadata.putObject("labels");
    labels.put("component", "apiserver");
    labels.put("provider", "kubernetes");
    ObjectNode spec = service.putObject("spec");
    spec.put("clusterIP", cidr.address(1));
    ObjectNode port = spec.putArray("ports").addObject();
    port.put("name", "https");
    port.put("port", 443);
    port.put("protocol", "TCP");
    port.put("targetPort", options.advertisePort());
    createIfAbsent(registry("", "services"), "default", service);
    if (options.advertiseAddress() != null) {
      ObjectNode endpoints = Codec.NODES.objectNode();
      endpoints.putObject("metadata").put("name", "kubernetes");
      ObjectNode subset = endpoints.putArray("subsets").addObject();
      subset.putArray("addresses").addObject().put("ip", options.advertiseAddress());
      ObjectNode endpointPort = subset.putArray("ports").addObject();
      endpointPort.put("name", "https");
      endpointPort.put("port", options.advertisePort());
      endpointPort.put("protocol", "TCP");
      Registry endpointsRegistry = registry("", "endpoints");
      endpointsRegistry.update("default", "kubernetes", endpoints, Registry.Target.MAIN, false);
    }
  }

  private static void createIfAbsent(Registry registry, String namespace, ObjectNode object) {
    if (registry.read(namespace, object.path("metadata").path("name").asString()) != null) {
      return; // after a restart: creating again would fail on the kubernetes service's own cluster IP
    }
    try {
      registry.create(namespace, object, false);
    } catch (StatusError e) {
      if (!"AlreadyExists".equals(e.reason())) {
        throw e;
      }
    }
  }

  Registry registry(String group, String resource) {
    for (Registry registry : registries.values()) {
      if (registry.type().group().equals(group) && registry.type().resource().equals(resource)) {
        return registry;
      }
    }
    throw new IllegalStateException("no registry for " + resource);
  }

  @Override
  public List<ResourceInfo> resources() {
    return handler.resources();
  }

  @Override
  public CompletableFuture<ApiResponse> handle(ApiRequest request) {
    return handler.handle(request);
  }

  @Override
  public CompletableFuture<ApiResponse> handle(ApiRequest request, Executor completions) {
    return handler.handle(request, completions);
  }

  @Override
  public CompletableFuture<ApiResponse> watch(ApiRequest request, WatchSink sink) {
    return handler.watch(request, sink);
  }

  @Override
  public Executor requestExecutor() {
    return handler.requestExecutor();
  }

  /** Stops the watch caches (ending their watchers) and the worker threads. */
  @Override
  public void close() {
    for (WatchCache cache : caches) {
      cache.close();
    }
    workers.shutdownNow();
    afterStore.shutdownNow();
    scheduler.shutdownNow();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
