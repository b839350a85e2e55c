package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.cli.StoreCommand;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots as etcd's own tools make and read them, both ways, with the real etcd 3.4 and etcdctl on loopback: a
 * Tugboat store's snapshot is read by {@code etcdctl snapshot status} and restored by {@code etcdctl snapshot
 * restore} into a data dir that a real etcd serves the same keys, revisions and leases from; a real etcd's snapshot
 * is read by {@code tug store snapshot status} and restored by {@code tug store snapshot restore} into a member that
 * serves them; bad files are refused, naming the file and the fault, leaving no data dir.
 */
class EtcdBackendSnapshotTest {
  private static final Path ETCD = Path.of("/usr/bin/etcd");
  private static final Path ETCDCTL = Path.of("/usr/bin/etcdctl");
  /** The key-values of etcdctl get -w json: the same text from any server that has the same keys. */
  private static final Pattern KVS = Pattern.compile("\"kvs\":(\\[.*\\])");

  @TempDir
  Path dir;

  private final Map<String, Process> processes = new LinkedHashMap<>();

  @BeforeEach
  void needsEtcd() {
    Assumptions.assumeTrue(Files.isExecutable(ETCD) && Files.isExecutable(ETCDCTL),
        "etcd 3.4 and etcdctl are not installed at /usr/bin (Debian's etcd-server and etcd-client)");
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    for (Process p : processes.values()) {
      p.destroy();
    }
    for (Process p : processes.values()) {
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
      assertThat(p.isAlive()).as("process %d exits", p.pid()).isFalse();
    }
  }

  private static Etcdctl.Result ok(Etcdctl etcdctl, String... args) {
    Etcdctl.Result r = etcdctl.run(args);
    assertThat(r.exitCode()).as("etcdctl %s: %s", String.join(" ", args), r.stderr()).isZero();
    return r;
  }

  /** Runs {@code tug store ARGS} in this JVM: exit code, output, errors. */
  private static String[] tugStore(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = new picocli.CommandLine(new StoreCommand()).setOut(new java.io.PrintWriter(out))
        .setErr(new java.io.PrintWriter(err)).execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private static long number(String json, String field) {
    Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
    assertThat(m.find()).as("%s in %s", field, json).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static String kvs(Etcdctl etcdctl, String... extra) {
    List<String> args = new ArrayList<>(List.of("get", "", "--prefix", "-w", "json"));
    args.addAll(List.of(extra));
    String json = ok(etcdctl, args.toArray(String[]::new)).out();
    Matcher m = KVS.matcher(json);
    assertThat(m.find()).as("kvs in %s", json).isTrue();
    return m.group(1).replaceAll(",\"count\":\\d+.*$", "");
  }

  private Process start(String name, List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.appendTo(
        dir.resolve(name + ".log").toFile())).redirectErrorStream(true).start();
    processes.put(name, p);
    return p;
  }

  private Etcdctl startEtcd(String name, Path dataDir) throws IOException {
    String peer = "http://127.0.0.1:" + LoopbackPorts.next();
    String client = "http://127.0.0.1:" + LoopbackPorts.next();
    start(name, List.of(ETCD.toString(), "--name", name, "--data-dir", dataDir.toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", name + "=" + peer,
        "--listen-metrics-urls", "http://127.0.0.1:" + LoopbackPorts.next()));
    return new Etcdctl(client);
  }

  private Etcdctl startTugboatMember(String name, String peer, String token) throws IOException {
    String client = "http://127.0.0.1:" + LoopbackPorts.next();
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--enable-native-access")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), StoreCommand.class.getName(),
        "--name", name, "--data-dir", dir.resolve(name).toString(), "--initial-cluster", name + "=" + peer,
        "--initial-cluster-token", token, "--initial-cluster-state", "new", "--initial-advertise-peer-urls", peer,
        "--listen-peer-urls", peer, "--listen-client-urls", client, "--advertise-client-urls", client));
    start(name, command);
    return new Etcdctl(client);
  }

  private void await(String what, java.util.function.BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      try {
        if (check.getAsBoolean()) {
          return;
        }
      } catch (AssertionError notYet) {
        // not answering yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 120 s: " + what);
      }
      Thread.sleep(200);
    }
  }

  private void withLogsOnFailure(Scenario scenario) throws Exception {
    try {
      scenario.run();
    } catch (Throwable t) {
      for (String name : processes.keySet()) {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        System.out.println("---- " + name + ".log (last 25 lines)");
        lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(System.out::println);
      }
      throw t;
    }
  }

  private interface Scenario {
    void run() throws Exception;
  }

  /** Puts, a transaction, a lease, a deletion, an overwrite and a compaction: history etcd and Tugboat both keep. */
  private static long[] writeHistory(Etcdctl etcdctl) {
    ok(etcdctl, "put", "a", "1");
    ok(etcdctl, "put", "gone", "x");
    Etcdctl.Result txn = etcdctl.runWithInput("\nput t/1 one\nput t/2 two\n\n\n".getBytes(), "txn");
    assertThat(txn.exitCode()).as("txn: %s", txn.stderr()).isZero();
    Matcher lease = Pattern.compile("lease ([0-9a-f]+) granted").matcher(ok(etcdctl, "lease", "grant", "3600").out());
    assertThat(lease.find()).isTrue();
    ok(etcdctl, "put", "leased", "held", "--lease=" + lease.group(1));
    long beforeOverwrite = number(ok(etcdctl, "get", "a", "-w", "json").out(), "revision");
    ok(etcdctl, "put", "a", "2");
    ok(etcdctl, "del", "gone");
    ok(etcdctl, "compact", Long.toString(beforeOverwrite));
    ok(etcdctl, "put", "b", "\u00e9t\u00e9 with spaces");
    long revision = number(ok(etcdctl, "get", "a", "-w", "json").out(), "revision");
    return new long[] {Long.parseLong(lease.group(1), 16), beforeOverwrite, revision};
  }

  @Test
  void aTugboatSnapshotIsReadByEtcdctlAndRestoredIntoARealEtcd() throws Exception {
    withLogsOnFailure(() -> {
      MvccKeyValueStore store = MvccKeyValueStore.inMemory();
      EtcdGrpcServer server = EtcdGrpcServer.start(store,
          new SingleMemberCluster("tug", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
          List.of(new InetSocketAddress("127.0.0.1", 0)));
      Etcdctl tug = new Etcdctl("127.0.0.1:" + server.addresses().get(0).getPort());
      Path saved = dir.resolve("tug.db");
      long[] history;
      String tugKvs;
      String tugOldKvs;
      try {
        history = writeHistory(tug);
        tugKvs = kvs(tug);
        tugOldKvs = kvs(tug, "--rev=" + history[1]);
        assertThat(ok(tug, "snapshot", "save", saved.toString()).out()).contains("Snapshot saved at " + saved);
      } finally {
        server.close();
        store.close();
      }

      String status = ok(tug, "snapshot", "status", saved.toString(), "-w", "json").out();
      assertThat(number(status, "revision")).isEqualTo(history[2]);
      assertThat(number(status, "totalSize")).isEqualTo(Files.size(saved) - 32);
      // etcd counts every record of every bucket: history, the lease, meta, the member, the cluster version
      assertThat(number(status, "totalKey")).isGreaterThanOrEqualTo(7 + 1 + 3 + 1 + 1);
      String[] tugStatus = tugStore("snapshot", "status", saved.toString());
      assertThat(tugStatus[0]).as("tug status: %s", tugStatus[2]).isEqualTo("0");
      assertThat(tugStatus[1]).contains("revision: " + history[2] + "\n").contains("format: etcd backend")
          .contains("hash: " + Long.toHexString(number(status, "hash")) + "\n")
          .contains("total keys: " + number(status, "totalKey") + "\n");

      Path dataDir = dir.resolve("etcd-restored");
      String peer = "http://127.0.0.1:" + LoopbackPorts.next();
      ok(tug, "snapshot", "restore", saved.toString(), "--name", "e1", "--data-dir", dataDir.toString(),
          "--initial-cluster", "e1=" + peer, "--initial-advertise-peer-urls", peer);
      Etcdctl etcd = startEtcdOn(dataDir, "e1", peer);
      await("the restored etcd serves", () -> etcd.run("get", "a", "--print-value-only").out().equals("2"));
      assertThat(kvs(etcd)).isEqualTo(tugKvs);
      assertThat(kvs(etcd, "--rev=" + history[1])).isEqualTo(tugOldKvs);
      assertThat(etcd.run("get", "a", "--rev=" + (history[1] - 1)).stderr()).contains("compacted");
      assertThat(ok(etcd, "lease", "list").out()).contains(Long.toHexString(history[0]));
      assertThat(ok(etcd, "lease", "timetolive", Long.toHexString(history[0]), "--keys").out()).contains("leased");
      assertThat(ok(etcd, "put", "after", "restore").out()).isEqualTo("OK");
      assertThat(number(ok(etcd, "get", "after", "-w", "json").out(), "mod_revision")).isEqualTo(history[2] + 1);
    });
  }

  private Etcdctl startEtcdOn(Path dataDir, String name, String peer) throws IOException {
    String client = "http://127.0.0.1:" + LoopbackPorts.next();
    start(name, List.of(ETCD.toString(), "--name", name, "--data-dir", dataDir.toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client, "--listen-peer-urls", peer,
        "--initial-advertise-peer-urls", peer, "--initial-cluster", name + "=" + peer,
        "--listen-metrics-urls", "http://127.0.0.1:" + LoopbackPorts.next()));
    return new Etcdctl(client);
  }

  @Test
  void aRealEtcdsSnapshotIsRestoredOntoATugboatMember() throws Exception {
    withLogsOnFailure(() -> {
      Etcdctl etcd = startEtcd("etcd", dir.resolve("etcd-data"));
      await("etcd serves", () -> etcd.run("put", "first", "1").exitCode() == 0);
      long[] history = writeHistory(etcd);
      String etcdKvs = kvs(etcd);
      String etcdOldKvs = kvs(etcd, "--rev=" + history[1]);
      Path saved = dir.resolve("etcd.db");
      assertThat(ok(etcd, "snapshot", "save", saved.toString()).out()).contains("Snapshot saved at " + saved);

      String[] status = tugStore("snapshot", "status", saved.toString());
      assertThat(status[0]).as("tug status: %s", status[2]).isEqualTo("0");
      assertThat(status[1]).contains("format: etcd backend").contains("revision: " + history[2] + "\n")
          .containsPattern("index: [1-9][0-9]*\\n").containsPattern("member: [0-9a-f]+, etcd, http://127");
      String etcdStatus = ok(etcd, "snapshot", "status", saved.toString(), "-w", "json").out();
      assertThat(status[1]).as("what etcdctl snapshot status says: %s", etcdStatus)
          .contains("hash: " + Long.toHexString(number(etcdStatus, "hash")) + "\n")
          .contains("total keys: " + number(etcdStatus, "totalKey") + "\n");

      // bad input: refused, naming the file and the fault, leaving no data dir
      String peer = "http://127.0.0.1:" + LoopbackPorts.next();
      byte[] bytes = Files.readAllBytes(saved);
      Path cut = dir.resolve("cut.db");
      Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 4096));
      Path wrongHash = dir.resolve("wrong-hash.db");
      byte[] flipped = bytes.clone();
      flipped[flipped.length - 1] ^= 1;
      Files.write(wrongHash, flipped);
      Path text = dir.resolve("text.db");
      Files.write(text, "not a database\n".repeat(1000).getBytes());
      Path bare = dir.resolve("bare.db");
      Files.write(bare, java.util.Arrays.copyOf(bytes, bytes.length - 32));
      for (Object[] bad : new Object[][] {{cut, "cut short"}, {wrongHash, "SHA-256 mismatch"},
          {text, "not a store snapshot"}, {bare, "without the SHA-256"}, {dir.resolve("missing.db"), "no such file"}}) {
        String[] refused = tugStore("snapshot", "restore", bad[0].toString(), "--name", "t1", "--data-dir",
            dir.resolve("t1").toString(), "--initial-cluster", "t1=" + peer, "--initial-advertise-peer-urls", peer);
        assertThat(refused[0]).as("restore %s", bad[0]).isEqualTo("1");
        assertThat(refused[2]).contains("snapshot file " + bad[0]).contains((String) bad[1]);
        assertThat(dir.resolve("t1")).as("data dir after restoring %s", bad[0]).doesNotExist();
      }

      String[] restored = tugStore("snapshot", "restore", saved.toString(), "--name", "t1", "--data-dir",
          dir.resolve("t1").toString(), "--initial-cluster", "t1=" + peer, "--initial-advertise-peer-urls", peer,
          "--initial-cluster-token", "from-etcd");
      assertThat(restored[0]).as("restore: %s", restored[2]).isEqualTo("0");
      Etcdctl tug = startTugboatMember("t1", peer, "from-etcd");
      await("the restored member serves", () -> tug.run("get", "a", "--print-value-only").out().equals("2"));
      assertThat(kvs(tug)).isEqualTo(etcdKvs);
      assertThat(kvs(tug, "--rev=" + history[1])).isEqualTo(etcdOldKvs);
      assertThat(tug.run("get", "a", "--rev=" + (history[1] - 1)).stderr()).contains("compacted");
      assertThat(ok(tug, "lease", "list").out()).contains(Long.toHexString(history[0]));
      assertThat(ok(tug, "lease", "timetolive", Long.toHexString(history[0]), "--keys").out()).contains("leased");
      ok(tug, "put", "after", "restore");
      assertThat(number(ok(tug, "get", "after", "-w", "json").out(), "mod_revision")).isEqualTo(history[2] + 1);
    });
  }
}
