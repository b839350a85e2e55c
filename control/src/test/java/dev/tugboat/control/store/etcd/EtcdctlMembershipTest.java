package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.cli.StoreCommand;
import java.io.IOException;
import java.lang.management.ManagementFactory;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes of a {@code tug store} cluster, driven by the real etcdctl as an operator drives etcd: three
 * members as processes on loopback, a learner added, started with {@code --initial-cluster-state existing}, promoted,
 * written to and read from; a member removed, which stops; and bad requests refused with etcd's words, changing
 * nothing.
 */
class EtcdctlMembershipTest {
  private static final String TOKEN = "membership-test";
  private static final Pattern MEMBER_LINE = Pattern.compile(
      "([0-9a-f]+), (started|unstarted), ([^,]*), ([^,]*), ([^,]*), (true|false)");

  @TempDir
  Path dir;

  private final Map<String, Integer> peerPorts = new LinkedHashMap<>();
  private final Map<String, Integer> clientPorts = new LinkedHashMap<>();
  private final Map<String, Process> processes = new LinkedHashMap<>();

  private record Member(String id, boolean started, String name, String peerUrls, String clientUrls,
                        boolean learner) {}

  private String peerUrl(String name) {
    return "http://127.0.0.1:" + peerPorts.get(name);
  }

  private String clientUrl(String name) {
    return "http://127.0.0.1:" + clientPorts.get(name);
  }

  private Etcdctl etcdctl(String name) {
    return new Etcdctl(clientUrl(name));
  }

  private Process startMember(String name, String initialCluster, String state) throws IOException {
    return startMember(name, initialCluster, state, TOKEN);
  }

  private Process startMember(String name, String initialCluster, String state, String token) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--enable-native-access")) {
        command.add(arg);
      }
    }
    command.addAll(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), StoreCommand.class.getName(),
        "--name", name, "--data-dir", dir.resolve(name).toString(),
        "--initial-cluster", initialCluster, "--initial-cluster-token", token, "--initial-cluster-state", state,
        "--initial-advertise-peer-urls", peerUrl(name), "--listen-peer-urls", peerUrl(name),
        "--listen-client-urls", clientUrl(name), "--advertise-client-urls", clientUrl(name),
        // snapshots (and log compaction) every few entries: the learner catches up from a snapshot, not the log
        "--snapshot-count", "4"));
    Process p = new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()))
        .redirectErrorStream(true)
        .start();
    processes.put(name, p);
    return p;
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
      assertThat(p.isAlive()).as("member process %d exits", p.pid()).isFalse();
    }
  }

  private List<Member> memberList(String via) {
    Etcdctl.Result r = etcdctl(via).run("member", "list");
    assertThat(r.exitCode()).as("member list: %s", r.stderr()).isZero();
    List<Member> members = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      Matcher m = MEMBER_LINE.matcher(line.strip());
      assertThat(m.matches()).as("member list line '%s'", line).isTrue();
      members.add(new Member(m.group(1), m.group(2).equals("started"), m.group(3), m.group(4), m.group(5),
          Boolean.parseBoolean(m.group(6))));
    }
    return members;
  }

  private Member member(String via, String name) {
    return memberList(via).stream().filter(m -> m.name().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError("no member " + name + " in " + memberList(via)));
  }

  /** Waits until {@code check} holds, retrying for up to 180 s (JVM starts on a loaded 2-core machine). */
  private void await(String what, java.util.function.BooleanSupplier check) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (true) {
      try {
        if (check.getAsBoolean()) {
          return;
        }
      } catch (AssertionError notYet) {
        // not answering yet
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 180 s: " + what);
      }
      Thread.sleep(200);
    }
  }

  /** The name of the member every member's status names leader. */
  private String leader(List<String> among) {
    Etcdctl.Result r = etcdctl(among.get(0)).run("endpoint", "status", "-w", "json");
    assertThat(r.exitCode()).as("endpoint status: %s", r.stderr()).isZero();
    Matcher m = Pattern.compile("\"leader\":(\\d+)").matcher(r.out());
    assertThat(m.find()).as("leader in %s", r.out()).isTrue();
    String leaderHex = Long.toHexString(Long.parseUnsignedLong(m.group(1)));
    return memberList(among.get(0)).stream().filter(x -> x.id().equals(leaderHex)).findFirst()
        .orElseThrow(() -> new AssertionError("leader " + leaderHex + " is not a member")).name();
  }

  private void assertRefused(Etcdctl.Result r, String message) {
    assertThat(r.exitCode()).as("refused: %s", r).isNotZero();
    assertThat(r.stderr()).contains(message);
  }

  @Test
  void aLearnerJoinsIsPromotedAndServesAndARemovedMemberStops() throws Exception {
    withLogsOnFailure(this::grow);
  }

  @Test
  void aSavedSnapshotRestoresANewClusterWithItsKeys() throws Exception {
    withLogsOnFailure(this::saveAndRestore);
  }

  @Test
  void aMemberStartedWithAnotherTokenIsRefusedByItsPeersAndStops() throws Exception {
    withLogsOnFailure(() -> {
      for (String name : List.of("m1", "m2", "m3")) {
        peerPorts.put(name, LoopbackPorts.next());
        clientPorts.put(name, LoopbackPorts.next());
      }
      String initial = "m1=" + peerUrl("m1") + ",m2=" + peerUrl("m2") + ",m3=" + peerUrl("m3");
      startMember("m1", initial, "new");
      startMember("m2", initial, "new");
      Process stranger = startMember("m3", initial, "new", "another-token");
      assertThat(stranger.waitFor(180, TimeUnit.SECONDS)).as("m3 with another token stops").isTrue();
      assertThat(stranger.exitValue()).isEqualTo(1);
      assertThat(Files.readString(dir.resolve("m3.log"))).contains("every peer")
          .contains("start it with the other members' --initial-cluster-token");
      // the two with the cluster's token are a quorum of three, and they never heard m3
      await("a write through m1", () -> etcdctl("m1").run("put", "k", "v").exitCode() == 0);
      assertThat(Files.readString(dir.resolve("m1.log")) + Files.readString(dir.resolve("m2.log")))
          .contains("refusing").contains("belongs to cluster");
    });
  }

  private interface Scenario {
    void run() throws Exception;
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

  /** Runs {@code tug store ARGS} in this JVM; its output (and errors) as text. */
  private static String[] tugStore(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    int code = new picocli.CommandLine(new StoreCommand()).setOut(new java.io.PrintWriter(out))
        .setErr(new java.io.PrintWriter(err)).execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private void saveAndRestore() throws Exception {
    for (String name : List.of("m1", "m2", "m3", "r1", "r2", "r3")) {
      peerPorts.put(name, LoopbackPorts.next());
      clientPorts.put(name, LoopbackPorts.next());
    }
    String initial = "m1=" + peerUrl("m1") + ",m2=" + peerUrl("m2") + ",m3=" + peerUrl("m3");
    for (String name : List.of("m1", "m2", "m3")) {
      startMember(name, initial, "new");
    }
    await("three started members in the list", () -> memberList("m1").stream()
        .filter(m -> m.started() && !m.clientUrls().isEmpty()).count() == 3);
    await("a write through m1", () -> etcdctl("m1").run("put", "kept", "before-save").exitCode() == 0);
    for (int i = 0; i < 20; i++) { // past --snapshot-count: the save comes after the members' own snapshots
      assertThat(etcdctl("m2").run("put", "key" + i, "value" + i).exitCode()).isZero();
    }
    Path saved = dir.resolve("saved.db");
    Etcdctl.Result save = etcdctl("m3").run("snapshot", "save", saved.toString());
    assertThat(save.exitCode()).as("snapshot save: %s", save.stderr()).isZero();
    assertThat(save.out()).contains("Snapshot saved at " + saved);
    assertThat(etcdctl("m1").run("put", "after-save", "x").exitCode()).isZero();
    String originalStatus = etcdctl("m1").run("endpoint", "status", "-w", "json").out();

    // what the file holds: the consistent index, the revision, the keys and the member list
    String[] status = tugStore("snapshot", "status", saved.toString());
    assertThat(status[0]).as("status: %s", status[2]).isEqualTo("0");
    assertThat(status[1]).containsPattern("index: [1-9][0-9]*\\n").contains("keys: 21\n")
        .containsPattern("revision: 2[2-9]\\n");
    for (String name : List.of("m1", "m2", "m3")) {
      assertThat(status[1]).contains(member("m1", name).id() + ", " + name + ", " + peerUrl(name) + ", "
          + clientUrl(name) + ", false");
    }

    // bad input: a damaged file, a file that is not a snapshot, a data dir in use; nothing is written
    Path damaged = dir.resolve("damaged.db");
    byte[] bytes = Files.readAllBytes(saved);
    bytes[100] ^= 1;
    Files.write(damaged, bytes);
    String restoredCluster = "r1=" + peerUrl("r1") + ",r2=" + peerUrl("r2") + ",r3=" + peerUrl("r3");
    String[] refused = tugStore("snapshot", "restore", damaged.toString(), "--name", "r1", "--data-dir",
        dir.resolve("r1").toString(), "--initial-cluster", restoredCluster, "--initial-cluster-token", "restored",
        "--initial-advertise-peer-urls", peerUrl("r1"));
    assertThat(refused[0]).isEqualTo("1");
    assertThat(refused[2]).contains(damaged.toString()).contains("SHA-256 mismatch").contains("--skip-hash-check");
    assertThat(dir.resolve("r1")).doesNotExist();
    refused = tugStore("snapshot", "restore", dir.resolve("m1.log").toString(), "--name", "r1", "--data-dir",
        dir.resolve("r1").toString(), "--initial-cluster", restoredCluster, "--initial-advertise-peer-urls",
        peerUrl("r1"));
    assertThat(refused[0]).isEqualTo("1");
    assertThat(refused[2]).contains("m1.log").contains("not");
    refused = tugStore("snapshot", "restore", saved.toString(), "--name", "r1", "--data-dir",
        dir.resolve("m1").toString(), "--initial-cluster", restoredCluster, "--initial-advertise-peer-urls",
        peerUrl("r1"));
    assertThat(refused[0]).isEqualTo("1");
    assertThat(refused[2]).contains("data dir " + dir.resolve("m1")).contains("already holds a member");

    // restore: each member of a new cluster from the same file, then start them as a new cluster
    for (String name : List.of("r1", "r2", "r3")) {
      String[] restored = tugStore("snapshot", "restore", saved.toString(), "--name", name, "--data-dir",
          dir.resolve(name).toString(), "--initial-cluster", restoredCluster, "--initial-cluster-token", "restored",
          "--initial-advertise-peer-urls", peerUrl(name));
      assertThat(restored[0]).as("restore %s: %s", name, restored[2]).isEqualTo("0");
      assertThat(restored[1]).contains("into data dir " + dir.resolve(name));
    }
    for (String name : List.of("r1", "r2", "r3")) {
      startMember(name, restoredCluster, "new", "restored");
    }
    await("the restored cluster serves", () -> etcdctl("r2").run("get", "kept", "--print-value-only").out()
        .equals("before-save"));
    assertThat(etcdctl("r3").run("get", "key19", "--print-value-only").out()).isEqualTo("value19");
    assertThat(etcdctl("r1").run("get", "after-save").out()).isEmpty();
    assertThat(memberList("r1")).extracting(Member::name).containsExactlyInAnyOrder("r1", "r2", "r3");
    assertThat(etcdctl("r1").run("put", "in-restored", "y").exitCode()).isZero();
    await("the write on every restored member", () -> List.of("r1", "r2", "r3").stream().allMatch(n ->
        etcdctl(n).run("get", "in-restored", "--print-value-only", "--consistency=s").out().equals("y")));
    Matcher restoredId = Pattern.compile("\"cluster_id\":(\\d+)").matcher(
        etcdctl("r1").run("endpoint", "status", "-w", "json").out());
    Matcher originalId = Pattern.compile("\"cluster_id\":(\\d+)").matcher(originalStatus);
    assertThat(restoredId.find() && originalId.find()).isTrue();
    assertThat(restoredId.group(1)).isNotEqualTo(originalId.group(1));

    // a member started on a restored data dir with another token is refused, naming the dir and the flag
    processes.get("r3").destroy();
    assertThat(processes.get("r3").waitFor(30, TimeUnit.SECONDS)).isTrue();
    Process wrong = startMember("r3", restoredCluster, "new", "another-token");
    assertThat(wrong.waitFor(120, TimeUnit.SECONDS)).as("r3 with another token stops").isTrue();
    assertThat(wrong.exitValue()).isNotZero();
    assertThat(Files.readString(dir.resolve("r3.log"))).contains("data dir " + dir.resolve("r3"))
        .contains("--initial-cluster-token");
  }

  private void grow() throws Exception {
    for (String name : List.of("m1", "m2", "m3", "m4", "m5")) {
      peerPorts.put(name, LoopbackPorts.next());
      clientPorts.put(name, LoopbackPorts.next());
    }
    String initial = "m1=" + peerUrl("m1") + ",m2=" + peerUrl("m2") + ",m3=" + peerUrl("m3");
    for (String name : List.of("m1", "m2", "m3")) {
      startMember(name, initial, "new");
    }
    await("three started members in the list", () -> memberList("m1").stream()
        .filter(m -> m.started() && !m.learner() && !m.clientUrls().isEmpty()).count() == 3);
    await("a write through m1", () -> etcdctl("m1").run("put", "before", "1").exitCode() == 0);
    List<Member> three = memberList("m1");
    assertThat(three).extracting(Member::name).containsExactlyInAnyOrder("m1", "m2", "m3");
    assertThat(member("m2", "m3").peerUrls()).isEqualTo(peerUrl("m3"));
    assertThat(member("m3", "m2").clientUrls()).isEqualTo(clientUrl("m2"));

    // bad input: etcd's words, and the list is as it was
    assertRefused(etcdctl("m1").run("member", "remove", "1234abcd"), "etcdserver: member not found");
    assertRefused(etcdctl("m1").run("member", "update", "1234abcd", "--peer-urls=http://127.0.0.1:9"),
        "etcdserver: member not found");
    assertRefused(etcdctl("m1").run("member", "add", "dup", "--peer-urls=" + peerUrl("m2")),
        "etcdserver: Peer URLs already exists");
    // etcdctl checks a URL's form itself; the store checks it too, for clients that do not
    assertRefused(etcdctl("m2").run("member", "add", "bad", "--peer-urls=http://127.0.0.1"), "http://127.0.0.1");
    io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts.get("m2"))
        .usePlaintext().build();
    try {
      for (String bad : List.of("http://127.0.0.1", "ftp://127.0.0.1:9", "http://127.0.0.1:9/path", "not a url")) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.tugboat.control.store.etcd.api.ClusterGrpc
                .newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
                .memberAdd(dev.tugboat.control.store.etcd.api.MemberAddRequest.newBuilder().addPeerURLs(bad).build()))
            .as(bad).hasMessageContaining("INVALID_ARGUMENT: etcdserver: given member URLs are invalid");
      }
    } finally {
      channel.shutdownNow();
    }
    String leader = leader(List.of("m1", "m2", "m3"));
    assertRefused(etcdctl(leader).run("member", "promote", member("m1", "m2").id()),
        "etcdserver: can only promote a learner member");
    assertRefused(etcdctl(leader.equals("m1") ? "m2" : "m1").run("member", "promote", "1234abcd"),
        "etcdserver: member not found");
    assertThat(memberList("m1")).isEqualTo(three);

    // a learner: added, started with --initial-cluster-state existing, caught up, promoted
    Etcdctl.Result added = etcdctl("m2").run("member", "add", "m4", "--learner", "--peer-urls=" + peerUrl("m4"));
    assertThat(added.exitCode()).as("member add: %s", added.stderr()).isZero();
    Matcher addedId = Pattern.compile("Member +([0-9a-f]+) added to cluster +([0-9a-f]+)").matcher(added.out());
    assertThat(addedId.find()).as(added.out()).isTrue();
    Matcher cluster = Pattern.compile("ETCD_INITIAL_CLUSTER=\"([^\"]+)\"").matcher(added.out());
    assertThat(cluster.find()).as(added.out()).isTrue();
    assertThat(added.out()).contains("ETCD_INITIAL_CLUSTER_STATE=\"existing\"");
    Member unstarted = memberList("m1").stream().filter(m -> m.id().equals(addedId.group(1))).findFirst()
        .orElseThrow();
    assertThat(unstarted.started()).isFalse();
    assertThat(unstarted.learner()).isTrue();
    assertThat(unstarted.peerUrls()).isEqualTo(peerUrl("m4"));
    assertRefused(etcdctl("m1").run("member", "add", "m5", "--learner", "--peer-urls=" + peerUrl("m5")),
        "etcdserver: too many learner members in cluster");

    for (int i = 0; i < 10; i++) { // enough entries that the leader's log no longer starts at index 1
      assertThat(etcdctl("m1").run("put", "filler" + i, "f").exitCode()).isZero();
    }
    startMember("m4", cluster.group(1), "existing");
    await("m4 started and published", () -> member("m3", "m4").started()
        && member("m3", "m4").clientUrls().equals(clientUrl("m4")));
    assertThat(member("m1", "m4").learner()).isTrue();
    assertThat(Files.readString(dir.resolve("m4.log"))).contains("installed the leader's snapshot");
    // as a learner, m4 serves serializable reads and its status, and refuses writes, linearizable reads and
    // streams with etcd 3.4's words; it never campaigns
    await("a serializable read from the learner", () -> etcdctl("m4").run("get", "filler9", "--print-value-only",
        "--consistency=s").out().equals("f"));
    assertRefused(etcdctl("m4").run("put", "on-learner", "x"), LearnerRequests.NOT_SUPPORTED);
    assertRefused(etcdctl("m4").run("get", "filler9"), LearnerRequests.NOT_SUPPORTED);
    assertRefused(etcdctl("m4").run("lease", "grant", "60"), LearnerRequests.NOT_SUPPORTED);
    io.grpc.ManagedChannel toLearner = io.grpc.ManagedChannelBuilder.forAddress("127.0.0.1", clientPorts.get("m4"))
        .usePlaintext().build();
    try { // a stream (etcdctl would retry it without end, as it does against etcd)
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.tugboat.control.store.etcd.api.MaintenanceGrpc
              .newBlockingStub(toLearner).withDeadlineAfter(30, TimeUnit.SECONDS)
              .snapshot(dev.tugboat.control.store.etcd.api.SnapshotRequest.getDefaultInstance()).hasNext())
          .hasMessage("UNAVAILABLE: " + LearnerRequests.NOT_SUPPORTED);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.tugboat.control.store.etcd.api.KVGrpc
              .newBlockingStub(toLearner).withDeadlineAfter(30, TimeUnit.SECONDS)
              .txn(dev.tugboat.control.store.etcd.api.TxnRequest.getDefaultInstance()))
          .hasMessage("UNAVAILABLE: " + LearnerRequests.NOT_SUPPORTED);
    } finally {
      toLearner.shutdownNow();
    }
    Etcdctl.Result learnerStatus = etcdctl("m4").run("endpoint", "status", "-w", "json");
    assertThat(learnerStatus.exitCode()).as("status of the learner: %s", learnerStatus.stderr()).isZero();
    assertThat(etcdctl("m1").run("get", "on-learner", "--print-value-only").out()).isEmpty();
    assertThat(leader(List.of("m1", "m2", "m3"))).isNotEqualTo("m4");
    assertThat(Files.readString(dir.resolve("m4.log"))).doesNotContain("leader is now " + addedId.group(1));
    await("m4 promoted through a follower, which hands it to the leader", () -> {
      String lead = leader(List.of("m1", "m2", "m3"));
      String follower = List.of("m1", "m2", "m3").stream().filter(n -> !n.equals(lead)).findFirst().orElseThrow();
      Etcdctl.Result r = etcdctl(follower).run("member", "promote", addedId.group(1));
      return r.exitCode() == 0;
    });
    assertThat(member("m1", "m4").learner()).isFalse();
    assertThat(member("m1", "m4").id()).isEqualTo(addedId.group(1));

    Etcdctl.Result put = etcdctl("m4").run("put", "through-m4", "v4");
    assertThat(put.exitCode()).as("put via m4: %s", put.stderr()).isZero();
    assertThat(etcdctl("m4").run("get", "before", "--print-value-only").out()).isEqualTo("1");
    assertThat(etcdctl("m4").run("get", "filler9", "--print-value-only").out()).isEqualTo("f");
    assertThat(etcdctl("m1").run("get", "through-m4", "--print-value-only").out()).isEqualTo("v4");
    assertThat(etcdctl("m4").run("get", "through-m4", "--print-value-only").out()).isEqualTo("v4");
    assertThat(etcdctl("m4").run("member", "update", addedId.group(1), "--peer-urls=" + peerUrl("m4")).exitCode())
        .isZero();
    // the joined member restarts with the flags it joined with, from its own data dir
    processes.get("m4").destroy();
    assertThat(processes.get("m4").waitFor(30, TimeUnit.SECONDS)).isTrue();
    startMember("m4", cluster.group(1), "existing");
    await("m4 serves again after its restart",
        () -> etcdctl("m4").run("get", "through-m4", "--print-value-only").out().equals("v4"));
    assertThat(member("m4", "m4").learner()).isFalse();

    // a follower removed: it is told and stops; the others go on
    String leaderNow = leader(List.of("m1", "m2", "m4"));
    String removed = List.of("m3", "m2", "m1").stream().filter(n -> !n.equals(leaderNow)).findFirst().orElseThrow();
    String stay = List.of("m1", "m2", "m4").stream().filter(n -> !n.equals(removed)).findFirst().orElseThrow();
    Etcdctl.Result gone = etcdctl(stay).run("member", "remove", member(stay, removed).id());
    assertThat(gone.exitCode()).as("member remove: %s", gone.stderr()).isZero();
    assertThat(gone.out()).contains("removed from cluster");
    assertThat(processes.get(removed).waitFor(60, TimeUnit.SECONDS)).as("removed member %s stops", removed).isTrue();
    assertThat(Files.readString(dir.resolve(removed + ".log"))).contains("was removed from the cluster");
    List<Member> after = memberList(stay);
    assertThat(after).extracting(Member::name).doesNotContain(removed).hasSize(3);
    assertThat(after).noneMatch(Member::learner);
    Etcdctl.Result afterRemove = etcdctl(stay).run("put", "after-remove", "x");
    assertThat(afterRemove.exitCode()).as("put after remove: %s", afterRemove.stderr()).isZero();

    // the leader removed: it answers, stops, and the two left elect a leader among themselves
    String oldLeader = leader(List.of(stay));
    List<String> left = after.stream().map(Member::name).filter(n -> !n.equals(oldLeader)).toList();
    Etcdctl.Result leaderGone = etcdctl(oldLeader).run("member", "remove", member(oldLeader, oldLeader).id());
    assertThat(leaderGone.exitCode()).as("member remove of the leader: %s", leaderGone.stderr()).isZero();
    assertThat(processes.get(oldLeader).waitFor(60, TimeUnit.SECONDS)).as("removed leader stops").isTrue();
    await("a write after the leader left", () -> etcdctl(left.get(0)).run("put", "after-leader", "y").exitCode() == 0);
    assertThat(memberList(left.get(1))).extracting(Member::name).containsExactlyInAnyOrderElementsOf(left);
    assertThat(etcdctl(left.get(1)).run("get", "after-leader", "--print-value-only").out()).isEqualTo("y");

    // with one of two voters down, adding a voter would leave no quorum of started members
    String leaderLast = leader(List.of(left.get(0)));
    String down = left.stream().filter(n -> !n.equals(leaderLast)).findFirst().orElseThrow();
    processes.get(down).destroy();
    assertThat(processes.get(down).waitFor(30, TimeUnit.SECONDS)).isTrue();
    List<Member> before = memberList(leaderLast);
    await("the leader sees " + down + " gone", () -> {
      Etcdctl.Result r = etcdctl(leaderLast).run("member", "add", "m5", "--peer-urls=" + peerUrl("m5"));
      assertRefused(r, "etcdserver: re-configuration failed due to not enough started members");
      return true;
    });
    assertThat(memberList(leaderLast)).isEqualTo(before);
  }
}
