package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.cli.StoreCommand;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.MaintenanceGrpc;
import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.StatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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

  private String initialCluster() {
    List<String> parts = new ArrayList<>();
    peerPorts.forEach((name, port) -> parts.add(name + "=http://127.0.0.1:" + port));
    return String.join(",", parts);
  }

  private Process startMember(String name) throws IOException {
    return startMember(name, List.of("-Xmx512m"), List.of());
  }

  private Process startMember(String name, List<String> jvmOptions, List<String> storeFlags) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--enable-native-access")) {
        command.add(arg);
      }
    }
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"),
        StoreCommand.class.getName(), // tug store
        "--name", name, "--data-dir", dir.resolve(name).toString(),
        "--initial-cluster", initialCluster(), "--initial-cluster-token", TOKEN,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + peerPorts.get(name),
        "--listen-peer-urls", "http://127.0.0.1:" + peerPorts.get(name),
        "--listen-client-urls", "http://127.0.0.1:" + clientPorts.get(name),
        "--advertise-client-urls", "http://127.0.0.1:" + clientPorts.get(name)));
    command.addAll(storeFlags);
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
      peerPorts.put(name, LoopbackPorts.next());
      clientPorts.put(name, LoopbackPorts.next());
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

  /** A member's snapshot directory and the indexes of the snapshots in it ({@code <index>-<term>.snap}). */
  private Path snapDir(String name) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir.resolve(name))) {
      return paths.filter(p -> Files.isDirectory(p) && p.getFileName().toString().equals("snap")).findFirst()
          .orElse(null);
    }
  }

  private long newestSnapshotIndex(String name) throws IOException {
    Path snap = snapDir(name);
    if (snap == null) {
      return 0;
    }
    try (java.util.stream.Stream<Path> files = Files.list(snap)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".snap"))
          .mapToLong(n -> Long.parseUnsignedLong(n.substring(0, 16), 16)).max().orElse(0);
    }
  }

  /**
   * The snapshot a leader sends a member that fell behind its compacted log is streamed from the file on both ends:
   * the members run with a heap smaller than the snapshot (96 MB of values, 64 MB of heap), which the snapshot held
   * whole in a byte[] on the leader and again on the follower did not fit in. Values live off the heap (the value
   * arena is direct memory), so the heap holds what the transfer itself costs.
   */
  @Test
  void aMemberBehindTheCompactedLogCatchesUpByASnapshotStreamedThroughASmallHeap() throws Exception {
    try {
      catchUpBySnapshotWithASmallHeap();
    } catch (Throwable t) {
      for (String name : peerPorts.keySet()) {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".log"));
        System.out.println("---- " + name + ".log (errors, then the last 30 lines)");
        lines.stream().filter(l -> l.contains("Exception") || l.contains("Error")).limit(10)
            .forEach(System.out::println);
        lines.subList(Math.max(0, lines.size() - 30), lines.size()).forEach(System.out::println);
      }
      throw t;
    }
  }

  private void catchUpBySnapshotWithASmallHeap() throws Exception {
    // small entries: the log keeps its last 4,096 entries on the heap, which must not be what fills it
    int keys = 24_576;
    int valueBytes = 4096;
    List<String> smallHeap = List.of("-Xmx64m", "-XX:MaxDirectMemorySize=512m");
    List<String> snapshotOften = List.of("--snapshot-count", "5000");
    for (String name : List.of("m1", "m2", "m3")) {
      peerPorts.put(name, LoopbackPorts.next());
      clientPorts.put(name, LoopbackPorts.next());
    }
    for (String name : peerPorts.keySet()) {
      startMember(name, smallHeap, snapshotOften);
    }
    Map<Long, String> namesById = new LinkedHashMap<>();
    new ReplicatedStoreConfig("m1", dir, ReplicatedStoreConfig.parseInitialCluster(initialCluster()), TOKEN,
        List.of(), List.of(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1), 1)
        .memberIds().forEach((name, id) -> namesById.put(id, name));
    String leader = awaitLeader(namesById);
    String lagging = peerPorts.keySet().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
    processes.get(lagging).destroyForcibly().waitFor(10, TimeUnit.SECONDS);

    byte[] value = new byte[valueBytes];
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(256);
    java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
    KVGrpc.KVFutureStub kv = KVGrpc.newFutureStub(channel(leader)).withWaitForReady();
    for (int i = 0; i < keys && failed.get() == null; i++) {
      java.util.Arrays.fill(value, (byte) i);
      inFlight.acquire();
      com.google.common.util.concurrent.Futures.addCallback(kv.withDeadlineAfter(60, TimeUnit.SECONDS)
          .put(dev.tugboat.control.store.etcd.api.PutRequest.newBuilder().setKey(bytes(String.format("s%06d", i)))
              .setValue(ByteString.copyFrom(value)).build()),
          new com.google.common.util.concurrent.FutureCallback<Object>() {
            @Override
            public void onSuccess(Object result) {
              inFlight.release();
            }

            @Override
            public void onFailure(Throwable t) {
              failed.compareAndSet(null, t);
              inFlight.release();
            }
          }, Runnable::run);
    }
    inFlight.acquire(256);
    assertThat(failed.get()).as("every put succeeds").isNull();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (newestSnapshotIndex(leader) < 10_000) { // the log the lagging member lacks is compacted away
      assertThat(System.nanoTime()).as("the leader snapshots past index 10,000").isLessThan(deadline);
      Thread.sleep(100);
    }

    startMember(lagging, smallHeap, snapshotOften);
    RangeRequest everyS = RangeRequest.newBuilder().setKey(bytes("s")).setRangeEnd(bytes("t")).setSerializable(true)
        .setCountOnly(true).build();
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      long count = -1;
      try {
        count = KVGrpc.newBlockingStub(channel(lagging)).withDeadlineAfter(5, TimeUnit.SECONDS).range(everyS)
            .getCount();
      } catch (RuntimeException starting) {
        // the member is starting
      }
      if (count == keys) {
        break;
      }
      assertThat(processes.get(lagging).isAlive()).as("the lagging member keeps running").isTrue();
      assertThat(System.nanoTime()).as("the lagging member holds all %d keys", keys).isLessThan(deadline);
      Thread.sleep(200);
    }
    RangeRequest last = RangeRequest.newBuilder().setKey(bytes(String.format("s%06d", keys - 1)))
        .setSerializable(true).build();
    java.util.Arrays.fill(value, (byte) (keys - 1));
    assertThat(KVGrpc.newBlockingStub(channel(lagging)).withDeadlineAfter(5, TimeUnit.SECONDS).range(last)
        .getKvs(0).getValue()).isEqualTo(ByteString.copyFrom(value));
    assertThat(Files.readString(dir.resolve(lagging + ".log"))).contains("installed the leader's snapshot");
    String othersLogs = Files.readString(dir.resolve(leader + ".log"))
        + Files.readString(dir.resolve(peerPorts.keySet().stream()
            .filter(n -> !n.equals(leader) && !n.equals(lagging)).findFirst().orElseThrow() + ".log"));
    assertThat(othersLogs).containsPattern("snapshot at index \\d+ \\(\\d+ bytes\\) sent to member");
    for (String name : peerPorts.keySet()) {
      assertThat(Files.readString(dir.resolve(name + ".log"))).doesNotContain("OutOfMemoryError");
    }
    try (java.util.stream.Stream<Path> files = Files.list(snapDir(lagging))) {
      assertThat(files.map(f -> f.getFileName().toString())).as("no received file left over")
          .noneMatch(n -> n.endsWith(".tmp"));
    }
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
