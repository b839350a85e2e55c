package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real etcdctl 3.4 against the real gRPC server on a free loopback port. */
class EtcdctlTest {

  private static MvccKeyValueStore store;
  private static EtcdGrpcServer server;
  private static Etcdctl etcdctl;
  private static String endpoint;

  @BeforeAll
  static void start() {
    store = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(store,
        new SingleMemberCluster("tug-test", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
        List.of(new InetSocketAddress("127.0.0.1", 0)));
    endpoint = "127.0.0.1:" + server.addresses().get(0).getPort();
    etcdctl = new Etcdctl(endpoint);
  }

  @AfterAll
  static void stop() {
    server.close();
    store.close();
  }

  private static Etcdctl.Result ok(String... args) {
    Etcdctl.Result r = etcdctl.run(args);
    assertThat(r.exitCode()).as("etcdctl %s: %s", String.join(" ", args), r.stderr()).isZero();
    return r;
  }

  private static long revision() {
    return store.currentRevision();
  }

  @Test
  void putThenGetReturnsTheValue() {
    assertThat(ok("put", "greeting", "hello").out()).isEqualTo("OK");
    assertThat(ok("get", "greeting").out()).isEqualTo("greeting\nhello");
    assertThat(ok("get", "greeting", "--print-value-only").out()).isEqualTo("hello");
    assertThat(ok("get", "no-such-key").out()).isEmpty();
  }

  @Test
  void getByPrefixAndAtAPastRevision() {
    ok("put", "fruit/apple", "red");
    long first = revision();
    ok("put", "fruit/banana", "yellow");
    ok("put", "fruit/apple", "green");
    assertThat(ok("get", "fruit/", "--prefix").out()).isEqualTo("fruit/apple\ngreen\nfruit/banana\nyellow");
    assertThat(ok("get", "fruit/", "--prefix", "--rev=" + first).out()).isEqualTo("fruit/apple\nred");
    assertThat(ok("get", "fruit/", "--prefix", "--keys-only").out()).isEqualTo("fruit/apple\n\nfruit/banana");
    assertThat(ok("get", "fruit/", "--prefix", "-w", "json").out()).contains("\"count\":2");
    assertThat(ok("get", "fruit/", "--prefix", "--limit=1").out()).isEqualTo("fruit/apple\ngreen");
    assertThat(ok("get", "fruit/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND").out())
        .isEqualTo("fruit/apple\ngreen\nfruit/banana\nyellow");
    assertThat(ok("get", "fruit/", "--prefix", "--sort-by=CREATE", "--order=DESCEND").out())
        .isEqualTo("fruit/banana\nyellow\nfruit/apple\ngreen");
  }

  @Test
  void deleteByKeyAndPrefixCountsTheDeletedKeys() {
    ok("put", "tmp/1", "a");
    ok("put", "tmp/2", "b");
    ok("put", "tmp/3", "c");
    assertThat(ok("del", "tmp/1").out()).isEqualTo("1");
    assertThat(ok("del", "tmp/", "--prefix", "--prev-kv").out()).isEqualTo("2\ntmp/2\nb\ntmp/3\nc");
    assertThat(ok("get", "tmp/", "--prefix").out()).isEmpty();
  }

  @Test
  void txnFromStandardInputTakesTheBranchItsComparesChoose() {
    ok("put", "lock", "free");
    String txn = "value(\"lock\") = \"free\"\n\nput lock taken\nput owner me\n\nget lock\n\n";
    Etcdctl.Result first = etcdctl.runWithInput(txn.getBytes(StandardCharsets.UTF_8), "txn");
    assertThat(first.exitCode()).as(first.stderr()).isZero();
    assertThat(first.out()).isEqualTo("SUCCESS\n\nOK\n\nOK");
    Etcdctl.Result second = etcdctl.runWithInput(txn.getBytes(StandardCharsets.UTF_8), "txn");
    assertThat(second.out()).isEqualTo("FAILURE\n\nlock\ntaken");
    assertThat(ok("get", "owner", "--print-value-only").out()).isEqualTo("me");
  }

  @Test
  void interactiveTxnReadsItsPromptsAnswersFromStandardInput() {
    ok("put", "mode", "a");
    String answers = "value(\"mode\") = \"a\"\n\nput mode b\n\nput mode c\n\n";
    Etcdctl.Result r = etcdctl.runWithInput(answers.getBytes(StandardCharsets.UTF_8), "txn", "-i");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).contains("compares:").contains("success requests").contains("SUCCESS");
    assertThat(ok("get", "mode", "--print-value-only").out()).isEqualTo("b");
  }

  @Test
  void lockRunsItsCommandWhileHoldingTheLock() {
    // etcdctl's lock uses a session lease with keep-alives, a txn on create revision, a sorted and filtered get
    // and a watch: most of the API in one command.
    assertThat(ok("lock", "tug-test-lock", "echo", "locked").out()).isEqualTo("locked");
    assertThat(ok("get", "tug-test-lock", "--prefix").out()).isEmpty();
  }

  @Test
  void txnComparingModRevisionAndVersion() {
    ok("put", "cas", "1");
    long rev = revision();
    String txn = "mod(\"cas\") = \"" + rev + "\"\nversion(\"cas\") = \"1\"\n\nput cas 2\n\n\n";
    Etcdctl.Result r = etcdctl.runWithInput(txn.getBytes(StandardCharsets.UTF_8), "txn");
    assertThat(r.out()).isEqualTo("SUCCESS\n\nOK");
    assertThat(ok("get", "cas", "--print-value-only").out()).isEqualTo("2");
  }

  @Test
  void watchFromAPastRevisionPrintsHistoryThenLiveEvents() throws Exception {
    ok("put", "watched/a", "1");
    long from = revision();
    ok("del", "watched/a");
    try (Etcdctl.Running watch = etcdctl.new Running("watch", "watched/", "--prefix", "--prev-kv",
        "--rev=" + from)) {
      assertThat(watch.next(3)).containsExactly("PUT", "watched/a", "1");
      // With --prev-kv etcdctl prints the previous key-value before the deleted key.
      assertThat(watch.next(5)).containsExactly("DELETE", "watched/a", "1", "watched/a", "");
      ok("put", "watched/b", "2");
      assertThat(watch.next(3)).containsExactly("PUT", "watched/b", "2");
    }
  }

  @Test
  void leaseGrantKeepAliveTimeToLiveAndRevoke() throws Exception {
    String granted = ok("lease", "grant", "100").out();
    Matcher m = Pattern.compile("lease ([0-9a-f]+) granted with TTL\\(100s\\)").matcher(granted);
    assertThat(m.matches()).as(granted).isTrue();
    String id = m.group(1);
    ok("put", "leased", "v", "--lease=" + id);
    assertThat(ok("lease", "timetolive", id, "--keys").out())
        .matches("lease " + id + " granted with TTL\\(100s\\), remaining\\(\\d+s\\), attached keys\\(\\[leased\\]\\)");
    assertThat(ok("lease", "keep-alive", "--once", id).out()).isEqualTo("lease " + id + " keepalived with TTL(100)");
    assertThat(ok("lease", "list").out()).contains(id);
    try (Etcdctl.Running keepAlive = etcdctl.new Running("lease", "keep-alive", id)) {
      assertThat(keepAlive.next(1)).containsExactly("lease " + id + " keepalived with TTL(100)");
    }
    assertThat(ok("lease", "revoke", id).out()).isEqualTo("lease " + id + " revoked");
    assertThat(ok("get", "leased").out()).isEmpty();
    assertThat(ok("lease", "timetolive", id).out()).isEqualTo("lease " + id + " already expired");
  }

  @Test
  void memberListAndEndpointStatusDescribeTheSingleMember() {
    String members = ok("member", "list").out();
    assertThat(members).matches("[0-9a-f]+, started, tug-test, http://127.0.0.1:2380, http://127.0.0.1:2379, false");
    String status = ok("endpoint", "status").out();
    assertThat(status).startsWith(endpoint + ", ").contains(MaintenanceService.ETCD_API_VERSION).contains("false");
    assertThat(ok("endpoint", "health").stderr()).contains(endpoint + " is healthy");
    assertThat(ok("endpoint", "hashkv").out()).startsWith(endpoint + ", ");
  }

  @Test
  void snapshotSaveWritesTheStoreToAFile(@TempDir Path dir) throws Exception {
    ok("put", "snap", "shot");
    Path file = dir.resolve("store.db");
    Etcdctl.Result r = ok("snapshot", "save", file.toString());
    assertThat(r.out()).contains("Snapshot saved at " + file);
    byte[] bytes = Files.readAllBytes(file);
    // etcd's backend: a bbolt database (its magic in the first meta page), then its SHA-256
    assertThat(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(16))
        .isEqualTo(0xED0CDAED);
    assertThat(bytes.length % 4096).isEqualTo(32);
    Etcdctl.Result status = ok("snapshot", "status", file.toString(), "-w", "json");
    assertThat(status.out()).contains("\"revision\":" + revision()).contains("\"totalSize\":" + (bytes.length - 32));
  }

  @Test
  void compactionThenAReadBelowItFailsWithEtcdsMessage() {
    ok("put", "old", "1");
    long before = revision();
    ok("put", "old", "2");
    long now = revision();
    assertThat(ok("compact", Long.toString(now)).out()).isEqualTo("compacted revision " + now);
    Etcdctl.Result r = etcdctl.run("get", "old", "--rev=" + before);
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("etcdserver: mvcc: required revision has been compacted");
    Etcdctl.Result future = etcdctl.run("get", "old", "--rev=" + (now + 1000));
    assertThat(future.stderr()).contains("etcdserver: mvcc: required revision is a future revision");
  }

  @Test
  void unknownLeasesAreNamedInTheError() {
    Etcdctl.Result revoke = etcdctl.run("lease", "revoke", "1234abcd");
    assertThat(revoke.exitCode()).isNotZero();
    assertThat(revoke.stderr()).contains("etcdserver: requested lease not found");
    Etcdctl.Result put = etcdctl.run("put", "k", "v", "--lease=1234abcd");
    assertThat(put.stderr()).contains("etcdserver: requested lease not found");
  }

  @Test
  void aValueOverOneAndAHalfMebibytesIsRefusedAsTooLarge() {
    byte[] value = new byte[1600 * 1024];
    java.util.Arrays.fill(value, (byte) 'x');
    Etcdctl.Result r = etcdctl.runWithInput(value, "put", "huge");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("etcdserver: request is too large");
    assertThat(ok("get", "huge").out()).isEmpty();
  }

  @Test
  void checkPerfRunsToCompletion() {
    Etcdctl.Result r = etcdctl.runWithInput(null, 300, "check", "perf", "--load=s");
    assertThat(r.stdout() + r.stderr()).containsAnyOf("PASS", "FAIL");
    assertThat(r.stdout()).contains("Throughput");
    assertThat(ok("get", "/etcdctl-check-perf/", "--prefix", "-w", "json").out()).doesNotContain("\"count\"");
  }
}
