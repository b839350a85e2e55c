package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What etcd answers over plain HTTP next to its gRPC API: {@code /health}, {@code /version} and {@code /metrics} on
 * the client URLs, {@code /health} and {@code /metrics} on {@code --listen-metrics-urls}. Knows nothing of the
 * transport: a method and a path in, an {@link Answer} out (later, for {@code /health}, which waits for a quorum).
 */
public final class EtcdHttpEndpoints {

  /** An HTTP response: status, Content-Type, body and any further headers. */
  public record Answer(int status, String contentType, String body, Map<String, String> headers) {}

  /** Which paths a listener serves. */
  public enum Listener {
    /** A client URL: everything. */
    CLIENT,
    /** A {@code --listen-metrics-urls} URL: {@code /metrics} and {@code /health} only, as etcd. */
    METRICS
  }

  /** etcd 3.4 gives up on the quorum read of {@code /health} after one second. */
  static final long HEALTH_READ_TIMEOUT_MILLIS = 1000;
  private static final String JSON = "application/json";
  /** Go's http.Error and NotFound answer in this type, with nosniff. */
  private static final String GO_TEXT = "text/plain; charset=utf-8";
  private static final Map<String, String> NOSNIFF = Map.of("X-Content-Type-Options", "nosniff");

  private final MvccKeyValueStore store;
  private final Membership membership;
  private final Supplier<ProcessFigures> process;
  /** The v3 API as JSON on the client URLs; null where only metrics and health are served. */
  private final EtcdJsonGateway gateway;

  EtcdHttpEndpoints(MvccKeyValueStore store, Membership membership, Supplier<ProcessFigures> process,
                    EtcdJsonGateway gateway) {
    this.store = store;
    this.membership = membership;
    this.process = process;
    this.gateway = gateway;
  }

  EtcdHttpEndpoints(MvccKeyValueStore store, Membership membership, EtcdJsonGateway gateway) {
    this(store, membership, ProcessFigures::read, gateway);
  }

  /** The endpoints of a {@code --listen-metrics-urls} listener, which has no gateway. */
  public EtcdHttpEndpoints(MvccKeyValueStore store, Membership membership) {
    this(store, membership, ProcessFigures::read, null);
  }

  /** The JSON gateway when {@code path} is its on a listener of this kind, else null. */
  EtcdJsonGateway gatewayFor(Listener listener, String path) {
    return gateway != null && listener == Listener.CLIENT && EtcdJsonGateway.serves(path) ? gateway : null;
  }

  /** The answer to {@code method path} (the path without its query) on a listener of the given kind. */
  public CompletableFuture<Answer> answer(Listener listener, String method, String path) {
    switch (path) {
      case "/health":
        return method.equals("GET") ? health() : CompletableFuture.completedFuture(methodNotAllowed());
      case "/metrics":
        // Prometheus' handler answers any method
        return CompletableFuture.completedFuture(new Answer(200, EtcdMetrics.CONTENT_TYPE, metrics(), Map.of()));
      case "/version":
        if (listener == Listener.CLIENT) {
          return CompletableFuture.completedFuture(method.equals("GET") ? version() : methodNotAllowed());
        }
        return CompletableFuture.completedFuture(notFound());
      default:
        return CompletableFuture.completedFuture(notFound());
    }
  }

  /**
   * etcd 3.4's check: healthy when there is a leader and a quorum read completes within a second; otherwise 503, the
   * body written as Go's http.Error writes it (a line, in text/plain).
   */
  private CompletableFuture<Answer> health() {
    if (membership.leaderId() == 0) {
      return CompletableFuture.completedFuture(unhealthy());
    }
    return store.proposer().readBarrier()
        .orTimeout(HEALTH_READ_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS)
        .handle((read, failed) -> failed == null
            ? new Answer(200, JSON, "{\"health\":\"true\"}", Map.of()) : unhealthy());
  }

  private static Answer unhealthy() {
    return new Answer(503, GO_TEXT, "{\"health\":\"false\"}\n", NOSNIFF);
  }

  /** The version Maintenance.Status reports, as server and as cluster version. */
  private static Answer version() {
    String v = MaintenanceService.ETCD_API_VERSION;
    return new Answer(200, JSON, "{\"etcdserver\":\"" + v + "\",\"etcdcluster\":\"" + v + "\"}", Map.of());
  }

  private String metrics() {
    StoreStateMachine state = store.stateMachine();
    long leader = membership.leaderId();
    long keys = state.liveKeyCount();
    EtcdMetrics.MemberFigures member = new EtcdMetrics.MemberFigures(membership.memberId(), leader != 0,
        leader != 0 && leader == membership.memberId(), membership.learner(), keys, state.approximateBytes(),
        store.currentRevision(), store.compactRevision(), MaintenanceService.ETCD_API_VERSION);
    return EtcdMetrics.render(member, process.get());
  }

  private static Answer notFound() {
    return new Answer(404, GO_TEXT, "404 page not found\n", NOSNIFF);
  }

  private static Answer methodNotAllowed() {
    return new Answer(405, GO_TEXT, "Method Not Allowed\n", Map.of("Allow", "GET", "X-Content-Type-Options", "nosniff"));
  }
}
