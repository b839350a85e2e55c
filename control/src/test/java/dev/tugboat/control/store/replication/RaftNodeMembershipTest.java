package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.Membership.Member;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Membership changes through one member's Raft thread: the list, its refusals, and its place in snapshots. */
class RaftNodeMembershipTest {
  @TempDir
  Path dir;

  /** A lone member that listens for peers, as {@code tug store} with one member runs. */
  private RaftNodeConfig listening() {
    InetSocketAddress self = new InetSocketAddress("127.0.0.1", 0);
    return new RaftNodeConfig(5, 77, dir, Map.of(5L, self), self, Duration.ofMillis(50), 10, 1, 10_000,
        Duration.ofSeconds(5), Map.of(5L, new Member(5, "solo", List.of("http://127.0.0.1:2380"), List.of(), false)),
        false);
  }

  private static StoreException refusal(RaftNode node, MemberList.Change change) throws Exception {
    try {
      node.changeMembership(change).get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return (StoreException) e.getCause();
    }
    throw new AssertionError(change + " was accepted");
  }

  @Test
  void aLoneMemberAddsAndRemovesALearnerAndKeepsTheListAcrossRestart() throws Exception {
    try (RaftNode node = RaftNode.start(listening(), new CommandListStateMachine())) {
      assertThat(node.memberList().members())
          .containsExactly(new Member(5, "solo", List.of("http://127.0.0.1:2380"), List.of(), false));
      List<Member> after = node.changeMembership(new MemberList.Change(MemberList.Kind.ADD_LEARNER, 9, "",
          List.of("http://127.0.0.1:1"), List.of())).get(10, TimeUnit.SECONDS);
      assertThat(after).extracting(Member::id, Member::learner).containsExactly(
          org.assertj.core.groups.Tuple.tuple(5L, false), org.assertj.core.groups.Tuple.tuple(9L, true));
      // the learner never answers: promoting it would leave no started quorum, and it has not caught up
      assertThat(refusal(node, new MemberList.Change(MemberList.Kind.PROMOTE, 9, null, null, null)).code())
          .isEqualTo(StoreException.Code.LEARNER_NOT_READY);
      // a voter that never started would need two of two
      assertThat(refusal(node, new MemberList.Change(MemberList.Kind.ADD_MEMBER, 10, "",
          List.of("http://127.0.0.1:2"), List.of())).code()).isEqualTo(StoreException.Code.NOT_ENOUGH_STARTED_MEMBERS);
      assertThat(refusal(node, new MemberList.Change(MemberList.Kind.REMOVE, 5, null, null, null)).code())
          .isEqualTo(StoreException.Code.NOT_ENOUGH_STARTED_MEMBERS);
      node.changeMembership(new MemberList.Change(MemberList.Kind.PUBLISH, 5, "solo", null,
          List.of("http://127.0.0.1:2379"))).get(10, TimeUnit.SECONDS);
    }
    try (RaftNode node = RaftNode.start(listening(), new CommandListStateMachine())) {
      assertThat(node.memberList().get(9).learner()).isTrue();
      assertThat(node.memberList().get(5).clientUrls()).containsExactly("http://127.0.0.1:2379");
      node.changeMembership(new MemberList.Change(MemberList.Kind.REMOVE, 9, null, null, null))
          .get(10, TimeUnit.SECONDS);
      assertThat(node.memberList().members()).extracting(Member::id).containsExactly(5L);
      assertThat(refusal(node, new MemberList.Change(MemberList.Kind.ADD_LEARNER, 9, "",
          List.of("http://127.0.0.1:1"), List.of())).code()).isEqualTo(StoreException.Code.MEMBER_EXISTS);
    }
  }

  @Test
  void theMemberListTravelsInSnapshotsOnceTheLogThatBuiltItIsCompacted() throws Exception {
    RaftNodeConfig config = listening().withSnapshotEntries(10);
    try (RaftNode node = RaftNode.start(config, new CommandListStateMachine())) {
      node.changeMembership(new MemberList.Change(MemberList.Kind.ADD_LEARNER, 9, "", List.of("http://127.0.0.1:1"),
          List.of())).get(10, TimeUnit.SECONDS);
      for (int i = 0; node.snapshotIndex() < 10; i++) { // until a snapshot covers the changes and the log is cut
        node.propose(("c" + i).getBytes()).get(10, TimeUnit.SECONDS);
        assertThat(i).as("proposals before a snapshot").isLessThan(10_000);
      }
    }
    CommandListStateMachine machine = new CommandListStateMachine();
    try (RaftNode node = RaftNode.start(config, machine)) {
      assertThat(node.memberList().members()).extracting(Member::id).containsExactly(5L, 9L);
      assertThat(node.memberList().get(5).name()).isEqualTo("solo");
      assertThat(machine.commands()).startsWith("c0");
    }
  }

  @Test
  void aMemberWithoutPeersRefusesMembershipChanges() throws Exception {
    try (RaftNode node = RaftNode.start(RaftNodeConfig.single(dir), new CommandListStateMachine())) {
      assertThat(refusal(node, new MemberList.Change(MemberList.Kind.ADD_LEARNER, 9, "",
          List.of("http://127.0.0.1:1"), List.of()))).hasMessageContaining("without peers");
      assertThat(node.memberList().members()).extracting(Member::id).containsExactly(1L);
      assertThatThrownBy(() -> node.changeMembership(new MemberList.Change(MemberList.Kind.REMOVE, 3, null, null,
          null)).get(10, TimeUnit.SECONDS)).hasMessageContaining("member not found");
    }
  }
}
