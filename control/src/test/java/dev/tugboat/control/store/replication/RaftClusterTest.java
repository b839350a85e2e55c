package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.LoopbackPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import dev.tugboat.control.store.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three members in one JVM, talking over loopback TCP, each with its own data directory. */
class RaftClusterTest {
  @TempDir
  Path dir;

  private final Map<Long, InetSocketAddress> members = new HashMap<>();
  private final Map<Long, RaftNode> nodes = new HashMap<>();
  private final Map<Long, CommandListStateMachine> machines = new HashMap<>();

  private RaftNodeConfig config(long id, long snapshotEntries) {
    return new RaftNodeConfig(id, 0xC1, dir.resolve("m" + id), members, members.get(id), Duration.ofMillis(50),
        10, 1, snapshotEntries, Duration.ofSeconds(5));
  }

  private void startCluster(long snapshotEntries) throws IOException {
    for (long id = 1; id <= 3; id++) {
      members.put(id, new InetSocketAddress("127.0.0.1", LoopbackPorts.next()));
    }
    for (long id = 1; id <= 3; id++) {
      start(id, snapshotEntries);
    }
  }

  private void start(long id, long snapshotEntries) {
    CommandListStateMachine machine = new CommandListStateMachine();
    machines.put(id, machine);
    nodes.put(id, RaftNode.start(config(id, snapshotEntries), machine));
  }

  @AfterEach
  void stopAll() {
    nodes.values().forEach(RaftNode::close);
  }

  private RaftNode awaitLeader() throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      for (RaftNode n : nodes.values()) {
        if (n.isLeader()) {
          return n;
        }
      }
      Thread.sleep(10);
    }
    throw new AssertionError("no leader elected among " + nodes.values());
  }

  /**
   * Proposes through {@code node}; a proposal refused for want of a leader (never appended, so never applied) is
   * retried through whoever leads next. A slow shared machine can cost a leader its lease.
   */
  private void write(RaftNode node, List<String> commands) throws Exception {
    List<CompletableFuture<Object>> futures = new ArrayList<>();
    for (String c : commands) {
      futures.add(node.propose(c.getBytes()));
    }
    for (int i = 0; i < futures.size(); i++) {
      try {
        futures.get(i).get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof StoreException se) || se.code() != StoreException.Code.NO_LEADER) {
          throw e;
        }
        futures.set(i, awaitLeader().propose(commands.get(i).getBytes()));
        i--;
      }
    }
  }

  /** Waits until every member has applied {@code count} commands, then checks they are the same ones. */
  private void awaitSameState(int count) throws InterruptedException {
    for (int i = 0; i < 1000; i++) {
      if (machines.values().stream().allMatch(m -> m.commands().size() >= count)) {
        break;
      }
      Thread.sleep(10);
    }
    List<String> reference = machines.get(1L).commands();
    assertThat(reference).hasSize(count);
    for (long id : nodes.keySet()) {
      assertThat(machines.get(id).commands()).as("member %d", id).isEqualTo(reference);
    }
  }

  private static List<String> commands(String prefix, int n) {
    List<String> list = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      list.add(prefix + i);
    }
    return list;
  }

  @Test
  void everyMemberAppliesTheSameCommandsWhoeverProposesThem() throws Exception {
    startCluster(10_000);
    RaftNode leader = awaitLeader();
    write(leader, commands("l", 200));
    RaftNode follower = nodes.values().stream().filter(n -> n != leader).findFirst().orElseThrow();
    write(follower, commands("f", 100));
    follower.readBarrier().get(10, TimeUnit.SECONDS);
    assertThat(machines.get(follower.id()).commands()).hasSize(300);
    awaitSameState(300);
  }

  @Test
  void losingTheLeaderElectsAnotherAndTheRestartedMemberCatchesUp() throws Exception {
    startCluster(10_000);
    RaftNode leader = awaitLeader();
    write(leader, commands("a", 100));
    long oldLeader = leader.id();
    leader.close();
    nodes.remove(oldLeader);
    RaftNode next = awaitLeader();
    assertThat(next.id()).isNotEqualTo(oldLeader);
    write(next, commands("b", 100));
    start(oldLeader, 10_000);
    write(awaitLeader(), commands("c", 10));
    awaitSameState(210);
  }

  @Test
  void aFollowerThatMissedCompactedEntriesIsSentASnapshot() throws Exception {
    startCluster(50);
    RaftNode leader = awaitLeader();
    write(leader, commands("a", 20));
    long lagging = nodes.keySet().stream().filter(id -> id != leader.id()).findFirst().orElseThrow();
    nodes.remove(lagging).close();
    write(leader, commands("b", 300));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (leader.snapshotIndex() < 100) { // the entries the lagging member lacks are compacted away
      assertThat(System.nanoTime()).as("the leader snapshots past index 100").isLessThan(deadline);
      Thread.sleep(20);
    }
    start(lagging, 10_000); // takes no snapshot of its own: any it holds came from the leader
    write(awaitLeader(), commands("c", 5));
    awaitSameState(325);
    try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir.resolve("m" + lagging)
        .resolve("snap"))) {
      assertThat(files.map(f -> f.getFileName().toString()).toList())
          .as("the leader's snapshot, installed; nothing received left over")
          .anyMatch(name -> name.endsWith(".snap") && Long.parseUnsignedLong(name.substring(0, 16), 16) >= 100)
          .noneMatch(name -> name.endsWith(".tmp"));
    }
  }
}
