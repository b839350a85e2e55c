package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tugboat.control.cli.StoreCommand;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.MaintenanceGrpc;
import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three store members as real processes on loopback, written to by clients while the leader is killed with SIGKILL
 * and restarted: every acknowledged write must be on every member afterwards, and the members must agree.
 */
class ReplicatedStoreProcessTest {
  private static final String TOKEN = "process-test";

  @TempDir
  Path dir;

  private final Map<String, Integer> peerPorts = new LinkedHashMap<>();
  private final Map<String, Integer> clientPorts = new LinkedHashMap<>();
  private final Map<String, Process> processes = new ConcurrentHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private String initialCluster() {
    List<String> parts = new ArrayList<>();
    peerPorts.forEach((name, port) -> parts.add(name + "=http://127.0.0.1:" + port));
    return String.join(",", parts);
  }

  private Process startMember(String name) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--enable-native-access")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Xmx512m", "-cp", System.getProperty("java.class.path"),
        StoreCommand.class.getName(), // tug store
        "--name", name, "--data-dir", dir.resolve(name).toString(),
        "--initial-cluster", initialCluster(), "--initial-cluster-token", TOKEN,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts.get(name),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts.get(name),
        "--listen-client-urls", "http://127.0.0.1:" + clientPorts.get(name),
        "--advertise-client-urls", "http://127.0.0.1:" + clientPorts.get(name)));
    Process p = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()))
        .redirectErrorStream(true)
        .start();
    processes.put(name, p);
    return p;
  }

  /** A gRPC channel to one member's etcd API: the generated etcd stubs, as any etcd client uses them. */
  private ManagedChannel channel(String name) {
    return channels.computeIfAbsent(name, n -> ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts.get(n))
        .usePlaintext().build());
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @AfterEach
  void stopEverything() throws InterruptedException {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Process p : processes.values()) {
      p.destroyForcibly();
    }
    for (Process p : processes.values()) {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("member process %d exits", p.pid()).isTrue();
    }
  }

  /** The member every member agrees is leader, by name. */
  private String awaitLeader(Map<Long, String> namesById) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180); // a JVM start on a loaded 2-core machine
    while (System.nanoTime() < deadline) {
      for (String name : processes.keySet()) {
        if (!processes.get(name).isAlive()) {
          continue;
        }
        try {
          long leader = MaintenanceGrpc.newBlockingStub(channel(name)).withDeadlineAfter(2, TimeUnit.SECONDS)
              .status(StatusRequest.getDefaultInstance()).getLeader();
          if (leader != 0 && namesById.containsKey(leader) && processes.get(namesById.get(leader)).isAlive()) {
            return namesById.get(leader);
          }
        } catch (Exception notYet) {
          // starting, or electing
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no leader among " + processes.keySet());
  }

  private static void awaitAcknowledged(Map<String, String> acknowledged, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (acknowledged.size() < count) {
      assertThat(System.nanoTime()).as("%d writes acknowledged within 180 s", count).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** Every key under "w" on one member, read locally (serializable). */
  private TreeMap<String, String> contents(String name) throws Exception {
    TreeMap<String, String> kvs = new TreeMap<>();
    RangeRequest everyW = RangeRequest.newBuilder().setKey(bytes("w")).setRangeEnd(bytes("x")).setSerializable(true)
        .build();
    // wait for ready: the restarted member's channel may still be backing off from the refused connections
    KVGrpc.newBlockingStub(channel(name)).withWaitForReady().withDeadlineAfter(30, TimeUnit.SECONDS).range(everyW)
        .getKvsList()
        .forEach(kv -> kvs.put(kv.getKey().toStringUtf8(), kv.getValue().toStringUtf8()));
    return kvs;
  }

  @Test
  void killingTheLeaderUnderLoadLosesNoAcknowledgedWriteAndTheMembersConverge() throws Exception {
    try {
      killTheLeaderUnderLoad();
    } catch (Throwable t) {
      for (String name : peerPorts.keySet()) { // the members' own account, for whoever reads the failure
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        System.out.println("---- " + name + ".log (last 15 lines)");
        lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(System.out::println);
      }
      throw t;
    }
  }

  private void killTheLeaderUnderLoad() throws Exception {
    for (String name : List.of("m1", "m2", "m3")) {
      peerPorts.put(name, freePort());
      clientPorts.put(name, freePort());
    }
    for (String name : peerPorts.keySet()) {
      startMember(name);
    }
    Map<Long, String> namesById = new LinkedHashMap<>(); // the ids come from the code the members run
    new ReplicatedStoreConfig("m1", dir, ReplicatedStoreConfig.parseInitialCluster(initialCluster()), TOKEN,
        List.of(), List.of(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1), 1)
        .memberIds().forEach((name, id) -> namesById.put(id, name));
    String leader = awaitLeader(namesById);

    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < 4; w++) {
      int writer = w;
      List<String> names = List.of("m1", "m2", "m3");
      Thread t = new Thread(() -> {
        int target = writer % names.size();
        for (int i = 0; writing.get(); i++) {
          String key = String.format("w%d-%06d", writer, i);
          String value = "v" + i;
          try {
            KVGrpc.newBlockingStub(channel(names.get(target))).withDeadlineAfter(5, TimeUnit.SECONDS)
                .put(dev.tugboat.control.store.etcd.api.PutRequest.newBuilder().setKey(bytes(key))
                    .setValue(bytes(value)).build());
            acknowledged.put(key, value);
          } catch (RuntimeException e) {
            // not acknowledged: may or may not be there, both are allowed; try another member
            target = (target + 1) % names.size();
          }
        }
      }, "writer-" + w);
      t.start();
      writers.add(t);
    }
    awaitAcknowledged(acknowledged, 300);
    processes.get(leader).destroyForcibly().waitFor(10, TimeUnit.SECONDS); // SIGKILL: no clean shutdown
    int atKill = acknowledged.size();
    String next = awaitLeader(namesById);
    assertThat(next).isNotEqualTo(leader);
    awaitAcknowledged(acknowledged, atKill + 300);
    startMember(leader);
    Thread.sleep(1000);
    writing.set(false);
    for (Thread t : writers) {
      t.join(30_000);
    }

    TreeMap<String, String> first = null;
    for (int attempt = 0; attempt < 100; attempt++) {
      first = contents("m1");
      if (first.equals(contents("m2")) && first.equals(contents("m3"))) {
        break;
      }
      Thread.sleep(200);
    }
    assertThat(contents("m2")).isEqualTo(first);
    assertThat(contents("m3")).isEqualTo(first);
    assertThat(first).containsAllEntriesOf(acknowledged);
    assertThat(acknowledged.size()).isGreaterThan(atKill + 300);
  }

  @Test
  void aDataDirOfAnotherClusterIsRefusedWithTheReason() {
    ReplicatedStoreConfig ours = new ReplicatedStoreConfig("a", dir, Map.of("a", List.of("http://127.0.0.1:1")),
        "ours", List.of(), List.of(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1), 100);
    ReplicatedStoreConfig theirs = new ReplicatedStoreConfig("a", dir, Map.of("a", List.of("http://127.0.0.1:1")),
        "theirs", List.of(), List.of(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1), 100);
    new MemberIdentity(ours.clusterId(), ours.memberId(), "a").claim(ours.memberDir());
    new MemberIdentity(ours.clusterId(), ours.memberId(), "a").claim(ours.memberDir()); // the same cluster again
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new MemberIdentity(theirs.clusterId(), theirs.memberId(), "a").claim(theirs.memberDir()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("data dir " + dir)
        .hasMessageContaining("belongs to cluster " + Long.toHexString(ours.clusterId()))
        .hasMessageContaining("--initial-cluster-token");
    assertThat(Files.exists(ours.memberDir().resolve("identity"))).isTrue();
  }
}
