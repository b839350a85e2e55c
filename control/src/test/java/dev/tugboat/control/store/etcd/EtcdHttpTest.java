package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.mvcc.DirectProposer;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.Proposer;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcd's plain HTTP endpoints on the gRPC client port, driven by the real curl while the real etcdctl 3.4 works on the
 * same port, and by raw sockets for what curl will not send (garbage, pipelined requests).
 */
class EtcdHttpTest {

  private static MvccKeyValueStore store;
  private static EtcdGrpcServer server;
  private static String base;
  private static Etcdctl etcdctl;

  @BeforeAll
  static void start() {
    store = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(store, member(), List.of(new InetSocketAddress("127.0.0.1", 0)));
    int port = server.addresses().get(0).getPort();
    base = "http://127.0.0.1:" + port;
    etcdctl = new Etcdctl("127.0.0.1:" + port);
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  private static SingleMemberCluster member() {
    return new SingleMemberCluster("tug-http", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t");
  }

  @Test
  void curlReadsHealthVersionAndMetricsWhileEtcdctlWritesOnTheSamePort() throws Exception {
    CompletableFuture<List<Integer>> writes = CompletableFuture.supplyAsync(() -> {
      List<Integer> codes = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        codes.add(etcdctl.run("put", "http-test/" + i, "v" + i).exitCode());
      }
      return codes;
    });
    for (int i = 0; i < 10; i++) {
      Curl.Response health = Curl.get(base + "/health");
      assertThat(health.status()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("{\"health\":\"true\"}");
      assertThat(health.headers()).containsIgnoringCase("content-type: application/json");
      Curl.Response version = Curl.get(base + "/version");
      assertThat(version.status()).isEqualTo(200);
      assertThat(version.body()).isEqualTo("{\"etcdserver\":\"3.5.0\",\"etcdcluster\":\"3.5.0\"}");
      Curl.Response metrics = Curl.get(base + "/metrics");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.headers()).containsIgnoringCase("content-type: text/plain; version=0.0.4");
      assertThat(metrics.body()).contains("\nprocess_resident_memory_bytes ", "\nprocess_cpu_seconds_total ",
          "\nprocess_open_fds ", "\nprocess_start_time_seconds ", "\netcd_server_has_leader 1\n",
          "\netcd_server_is_leader 1\n", "\netcd_mvcc_db_total_size_in_bytes ", "\netcd_debugging_mvcc_keys_total ");
    }
    assertThat(writes.get()).containsOnly(0).hasSize(10);
    assertThat(etcdctl.run("get", "http-test/9", "--print-value-only").out()).isEqualTo("v9");
    String metrics = Curl.get(base + "/metrics").body();
    assertThat(metrics).contains("\netcd_debugging_mvcc_current_revision " + store.currentRevision() + "\n");
    long keys = store.stateMachine().range(new dev.tugboat.control.store.RangeRequest(new byte[] {0},
        dev.tugboat.control.store.KeyRanges.ALL_FROM_KEY, 0, 0, true, true, true)).count();
    assertThat(keys).isGreaterThanOrEqualTo(10);
    assertThat(metrics).contains("\netcd_debugging_mvcc_keys_total " + keys + "\n");
  }

  @Test
  void versionIsWhatMaintenanceStatusReports() {
    Etcdctl.Result status = etcdctl.run("endpoint", "status", "-w", "json");
    assertThat(status.exitCode()).as(status.stderr()).isZero();
    assertThat(status.out()).contains("\"version\":\"" + MaintenanceService.ETCD_API_VERSION + "\"");
    assertThat(Curl.get(base + "/version").body()).contains("\"etcdserver\":\"" + MaintenanceService.ETCD_API_VERSION);
  }

  @Test
  void anUnknownPathIs404AndAnotherMethodThanGetIs405() {
    Curl.Response unknown = Curl.get(base + "/v2/keys");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.body()).isEqualTo("404 page not found\n");
    Curl.Response post = Curl.get(base + "/health", "-X", "POST");
    assertThat(post.status()).isEqualTo(405);
    assertThat(post.headers()).containsIgnoringCase("allow: GET");
    assertThat(Curl.get(base + "/health?serializable=false").status()).isEqualTo(200);
  }

  @Test
  void garbageGets400AndTheConnectionClosedNotAHang() throws IOException {
    for (String garbage : new String[] {"GARBAGE\r\n\r\n", "\u0000\u0001\u0002\u0003 junk\r\n\r\n",
        "GET /health HTTP/1.1\r\nthis is no header\r\n\r\n"}) {
      String answer = exchange(garbage);
      assertThat(answer).as("answer to %s", garbage.strip()).startsWith("HTTP/1.1 400 Bad Request\r\n")
          .containsIgnoringCase("connection: close");
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheirOrder() throws IOException {
    String answer = exchange("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /version HTTP/1.1\r\nHost: x\r\n\r\n"
        + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    int health = answer.indexOf("{\"health\":\"true\"}");
    int version = answer.indexOf("{\"etcdserver\"");
    int notFound = answer.indexOf("404 page not found");
    assertThat(health).isPositive();
    assertThat(version).isGreaterThan(health);
    assertThat(notFound).isGreaterThan(version);
  }

  @Test
  void healthIs503WithoutALeader() {
    Membership leaderless = new LeaderlessMember(member());
    try (EtcdGrpcServer alone = EtcdGrpcServer.start(store, leaderless, List.of(new InetSocketAddress("127.0.0.1", 0)))) {
      Curl.Response health = Curl.get("http://127.0.0.1:" + alone.addresses().get(0).getPort() + "/health");
      assertThat(health.status()).isEqualTo(503);
      assertThat(health.body()).isEqualTo("{\"health\":\"false\"}\n");
      assertThat(Curl.get("http://127.0.0.1:" + alone.addresses().get(0).getPort() + "/metrics").body())
          .contains("\netcd_server_has_leader 0\n", "\netcd_server_is_leader 0\n");
    }
  }

  @Test
  void healthIs503WhenTheQuorumReadDoesNotCompleteWithinASecond() {
    ExecutorService watch = MvccKeyValueStore.newWatchExecutor();
    StoreStateMachine state = new StoreStateMachine(watch);
    Proposer noQuorum = new NoQuorum(new DirectProposer(state));
    try (MvccKeyValueStore stuck = new MvccKeyValueStore(state, noQuorum, Duration.ofMinutes(10), watch::shutdownNow);
         EtcdGrpcServer server = EtcdGrpcServer.start(stuck, member(), List.of(new InetSocketAddress("127.0.0.1", 0)))) {
      long started = System.nanoTime();
      Curl.Response health = Curl.get("http://127.0.0.1:" + server.addresses().get(0).getPort() + "/health");
      assertThat(health.status()).isEqualTo(503);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }
  }

  @Test
  void etcdctlCheckDatascaleReadsTheResidentMemoryAndPasses() {
    Etcdctl.Result r = etcdctl.runWithInput(null, 300, "check", "datascale", "--load=s");
    assertThat(r.exitCode()).as("%s\n%s", r.stdout(), r.stderr()).isZero();
    assertThat(r.stdout()).contains("PASS: Approximate system memory used");
  }

  @Test
  void aMetricsListenerServesMetricsAndHealthOnly() {
    EtcdHttpEndpoints endpoints = new EtcdHttpEndpoints(store, member());
    try (EtcdMetricsServer metrics = EtcdMetricsServer.start(endpoints,
        List.of(new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0)))) {
      assertThat(metrics.addresses()).hasSize(2);
      for (InetSocketAddress address : metrics.addresses()) {
        String url = "http://127.0.0.1:" + address.getPort();
        Curl.Response scrape = Curl.get(url + "/metrics");
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.body()).contains("\nprocess_resident_memory_bytes ");
        assertThat(Curl.get(url + "/health").body()).isEqualTo("{\"health\":\"true\"}");
        assertThat(Curl.get(url + "/version").status()).isEqualTo(404);
      }
    }
  }

  @Test
  void aMetricsListenerOnABusyPortFailsNamingTheFlagAndTheAddress() {
    int busy = server.addresses().get(0).getPort();
    EtcdHttpEndpoints endpoints = new EtcdHttpEndpoints(store, member());
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            EtcdMetricsServer.start(endpoints, List.of(new InetSocketAddress("127.0.0.1", busy))))
        .hasMessageContaining("--listen-metrics-urls: listening on http://127.0.0.1:" + busy);
  }

  /** Writes {@code request} on a new connection and reads until the server closes it (10 s at most). */
  private static String exchange(String request) throws IOException {
    InetSocketAddress address = server.addresses().get(0);
    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      byte[] chunk = new byte[4096];
      for (int n; (n = in.read(chunk)) >= 0; ) {
        all.write(chunk, 0, n);
      }
      return all.toString(StandardCharsets.ISO_8859_1);
    }
  }

  /** A member that knows no leader, as one of three started alone. */
  private record LeaderlessMember(Membership delegate) implements Membership {
    @Override public long clusterId() { return delegate.clusterId(); }
    @Override public long memberId() { return delegate.memberId(); }
    @Override public long leaderId() { return 0; }
    @Override public List<Member> members() { return delegate.members(); }
    @Override public boolean learner() { return false; }
    @Override public CompletableFuture<Member> add(List<String> peerUrls, boolean learner) {
      return delegate.add(peerUrls, learner);
    }
    @Override public CompletableFuture<List<Member>> remove(long id) { return delegate.remove(id); }
    @Override public CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
      return delegate.update(id, peerUrls);
    }
    @Override public CompletableFuture<List<Member>> promote(long id) { return delegate.promote(id); }
  }

  /** A proposer whose ReadIndex never completes, as a leader cut off from its quorum. */
  private record NoQuorum(Proposer delegate) implements Proposer {
    @Override public CompletableFuture<Object> propose(byte[] command) { return delegate.propose(command); }
    @Override public CompletableFuture<Void> readBarrier() { return new CompletableFuture<>(); }
    @Override public boolean isLeader() { return true; }
    @Override public long term() { return delegate.term(); }
    @Override public void close() { delegate.close(); }
  }
}
