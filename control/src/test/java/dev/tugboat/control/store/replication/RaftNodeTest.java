package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftNodeTest {
  @TempDir
  Path dir;

  private static List<String> commands(int from, int to) {
    List<String> list = new ArrayList<>();
    for (int i = from; i <= to; i++) {
      list.add("c" + i);
    }
    return list;
  }

  private static List<CompletableFuture<Object>> proposeAll(RaftNode node, List<String> commands) {
    return commands.stream().map(c -> node.propose(c.getBytes())).toList();
  }

  @Test
  void aSingleMemberAppliesConcurrentProposalsAndKeepsThemAcrossRestart() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), machine)) {
      List<CompletableFuture<Object>> results = new ArrayList<>();
      Thread[] writers = new Thread[4];
      List<List<CompletableFuture<Object>>> perWriter = new ArrayList<>();
      for (int w = 0; w < writers.length; w++) {
        List<CompletableFuture<Object>> mine = new ArrayList<>();
        perWriter.add(mine);
        int base = w * 1000;
        writers[w] = new Thread(() -> {
          for (int i = 1; i <= 500; i++) {
            mine.add(node.propose(("w" + base + "-" + i).getBytes()));
          }
        });
        writers[w].start();
      }
      for (Thread t : writers) {
        t.join();
      }
      perWriter.forEach(results::addAll);
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(results.stream().map(CompletableFuture::join).distinct().count()).isEqualTo(2000);
      assertThat(machine.commands()).hasSize(2000);
    }
    CommandListStateMachine restarted = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), restarted)) {
      node.propose("after".getBytes()).get(10, TimeUnit.SECONDS);
      assertThat(restarted.commands()).hasSize(2001).endsWith("after");
      assertThat(restarted.commands().subList(0, 2000)).isEqualTo(machine.commands());
    }
  }

  @Test
  void aProposalFromTheMembersOwnLoopIsAnsweredAndCloseIsRefusedThere() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), machine)) {
      // tug store reads its clients' requests on this loop: what they propose there is answered after its cycle
      CompletableFuture<Object> onLoop = node.eventLoop().submit(() -> node.propose("on-loop".getBytes()))
          .get(10, TimeUnit.SECONDS);
      onLoop.get(10, TimeUnit.SECONDS);
      assertThat(machine.commands()).containsExactly("on-loop");
      assertThatThrownBy(() -> node.eventLoop().submit(node::close).get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("cannot run on it");
      node.propose("still-serving".getBytes()).get(10, TimeUnit.SECONDS);
      assertThat(machine.commands()).containsExactly("on-loop", "still-serving");
    }
  }

  @Test
  void aFramedProposalIsAppliedAsTheCommandAfterItsRoomKeptAcrossRestart() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), machine)) {
      List<CompletableFuture<Object>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        byte[] command = ("framed" + i).getBytes();
        byte[] framed = new byte[RaftNode.PROPOSAL_HEADER + command.length];
        java.util.Arrays.fill(framed, 0, RaftNode.PROPOSAL_HEADER, (byte) 0x7f); // the node's to overwrite
        System.arraycopy(command, 0, framed, RaftNode.PROPOSAL_HEADER, command.length);
        results.add(i % 2 == 0 ? node.proposeFramed(framed) : node.propose(command));
      }
      CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
      assertThat(machine.commands()).containsExactlyElementsOf(
          java.util.stream.IntStream.range(0, 50).mapToObj(i -> "framed" + i).toList());
    }
    CommandListStateMachine restarted = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), restarted)) {
      node.propose("after".getBytes()).get(10, TimeUnit.SECONDS);
      assertThat(restarted.commands()).hasSize(51).startsWith("framed0", "framed1").endsWith("after");
    }
  }

  @Test
  void aFramedProposalWithoutRoomForTheHeaderIsRefused() {
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), new CommandListStateMachine())) {
      assertThatThrownBy(() -> node.proposeFramed(new byte[RaftNode.PROPOSAL_HEADER - 1]))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("16 bytes in front");
    }
  }

  @Test
  void aCommandThatFailsInTheStateMachineFailsItsProposalOnly() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), machine)) {
      CompletableFuture<Object> bad = node.propose("fail".getBytes());
      CompletableFuture<Object> good = node.propose("fine".getBytes());
      assertThatThrownBy(() -> bad.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(IllegalStateException.class);
      assertThat(good.get(10, TimeUnit.SECONDS)).isEqualTo(1L);
    }
  }

  @Test
  void aReadBarrierCompletesAfterEverythingCommittedBeforeItIsApplied() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), machine)) {
      List<CompletableFuture<Object>> writes = proposeAll(node, commands(1, 100));
      writes.get(99).get(10, TimeUnit.SECONDS);
      node.readBarrier().get(10, TimeUnit.SECONDS);
      assertThat(machine.commands()).isEqualTo(commands(1, 100));
    }
  }

  @Test
  void snapshotsCompactTheLogAndARestartReplaysFromTheNewest() throws Exception {
    CommandListStateMachine machine = new CommandListStateMachine();
    RaftNodeConfig config = RaftNodeConfig.single(dir).withSnapshotEntries(100);
    try (RaftNode node = RaftNode.start(config, machine)) {
      List<CompletableFuture<Object>> writes = proposeAll(node, commands(1, 450));
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }
    try (Stream<Path> snaps = Files.list(dir.resolve("snap"))) {
      // how many depends on how proposals were batched into commits; at least one covers index 100 or later
      assertThat(snaps.filter(p -> p.toString().endsWith(".snap")).count()).isBetween(1L, 2L);
    }
    CommandListStateMachine restarted = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(config, restarted)) {
      node.readBarrier().get(10, TimeUnit.SECONDS);
      assertThat(restarted.commands()).isEqualTo(commands(1, 450));
    }
  }

  @Test
  void proposalsAfterCloseFailAsStopped() {
    RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), new CommandListStateMachine());
    node.close();
    assertThatThrownBy(() -> node.propose("x".getBytes()).join())
        .hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("stopped");
  }
}
