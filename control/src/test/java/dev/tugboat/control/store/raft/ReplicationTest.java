package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReplicationTest {

    /** A member whose storage already holds {@code entries} and {@code hardState}. */
    static RaftCore memberWithLog(RaftConfig config, ConfState conf, HardState hardState, Entry... entries) {
        MemoryStorage storage = new MemoryStorage(conf);
        storage.append(List.of(entries));
        storage.setHardState(hardState);
        return new RaftCore(config, storage, new SplittableRandom(config.id()));
    }

    static RaftConfig plain(long id) {
        return RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false);
    }

    static Entry e(long index, long term) {
        return Entry.normal(index, term, new byte[] {(byte) index, (byte) term});
    }

    /**
     * The messages of every pending Ready, acknowledged without persisting anything: only for looking at the
     * answer to one step, never for driving a member further.
     */
    static List<Message> drain(RaftCore core) {
        List<Message> out = new ArrayList<>();
        while (core.hasReady()) {
            Ready rd = core.ready();
            out.addAll(rd.allMessages());
            core.advance(rd);
        }
        return out;
    }

    @Test
    void proposalOnTheLeaderIsCommittedAndAppliedByEveryMember() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.propose(1, "x");
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.appliedData()).containsExactly("x");
            assertThat(m.core.committedIndex()).isEqualTo(2);
        }
    }

    @Test
    void proposalOnAFollowerIsForwardedToTheLeader() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.propose(3, "y");
        assertThat(c.member(1).appliedData()).containsExactly("y");
        assertThat(c.member(3).appliedData()).containsExactly("y");
    }

    @Test
    void proposalsMadeTogetherTravelInOneAppendPerFollowerAndApplyInOrder() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        int before = c.delivered.size();
        c.core(1).proposeAll(List.of(b("a"), b("b"), b("c")));
        c.settle();
        List<Message> appends = c.delivered.subList(before, c.delivered.size()).stream()
            .filter(m -> m.type() == MessageType.APPEND && !m.entries().isEmpty()).toList();
        assertThat(appends).hasSize(2).allSatisfy(m -> assertThat(m.entries()).hasSize(3));
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.appliedData()).containsExactly("a", "b", "c");
        }
    }

    @Test
    void proposalsMadeTogetherOnAFollowerAreForwardedInOneMessage() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        int before = c.delivered.size();
        c.core(3).proposeAll(List.of(b("x"), b("y")));
        c.settle();
        assertThat(c.delivered.subList(before, c.delivered.size()))
            .filteredOn(m -> m.type() == MessageType.PROPOSE).singleElement()
            .satisfies(m -> assertThat(m.entries()).hasSize(2));
        assertThat(c.member(2).appliedData()).containsExactly("x", "y");
        assertThat(c.member(3).appliedData()).containsExactly("x", "y");
    }

    @Test
    void proposalsMadeTogetherWithNoKnownLeaderAreAllDropped() {
        TestCluster c = TestCluster.of(1, 2, 3);
        assertThatThrownBy(() -> c.core(2).proposeAll(List.of(b("x"), b("y"))))
            .isInstanceOf(ProposalDroppedException.class);
        c.elect(1);
        c.propose(1, "z");
        assertThat(c.member(2).appliedData()).containsExactly("z");
    }

    private static byte[] b(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void proposalWithNoKnownLeaderIsDropped() {
        TestCluster c = TestCluster.of(1, 2, 3);
        assertThatThrownBy(() -> c.core(2).propose(new byte[] {1}))
            .isInstanceOf(ProposalDroppedException.class)
            .hasMessageContaining("knows no leader");
    }

    @Test
    void followerReplacesItsConflictingUncommittedSuffixWithTheLeadersEntries() {
        RaftCore follower = memberWithLog(plain(2), ConfState.ofVoters(1L, 2L, 3L), new HardState(2, 0, 1),
            e(1, 1), e(2, 1), e(3, 2), e(4, 2));
        follower.step(Message.builder(MessageType.APPEND).from(1).to(2).term(3).index(2).logTerm(1)
            .entries(List.of(e(3, 3))).commit(3).build());
        Ready rd = follower.ready();
        assertThat(rd.entries()).containsExactly(e(3, 3));
        assertThat(follower.lastIndex()).isEqualTo(3);
        assertThat(follower.termAt(3)).isEqualTo(3);
        assertThat(rd.committedEntries()).containsExactly(e(1, 1), e(2, 1), e(3, 3));
        assertThat(rd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APPEND_RESPONSE);
            assertThat(m.reject()).isFalse();
            assertThat(m.index()).isEqualTo(3);
        });
    }

    @Test
    void followerCommitsOnlyUpToTheLastEntryTheLeaderVouchedFor() {
        // The follower's entry 3 is from an old term; the leader's commit index 3 speaks of its own entry 3.
        RaftCore follower = memberWithLog(plain(2), ConfState.ofVoters(1L, 2L, 3L), new HardState(1, 0, 0),
            e(1, 1), e(2, 1), e(3, 1));
        follower.step(Message.builder(MessageType.APPEND).from(1).to(2).term(2).index(1).logTerm(1)
            .entries(List.of(e(2, 1))).commit(3).build());
        assertThat(follower.committedIndex()).isEqualTo(2);
    }

    @Test
    void followerRejectsAnAppendThatDoesNotMatchItsLogAndHintsWhereToResume() {
        RaftCore follower = memberWithLog(plain(2), ConfState.ofVoters(1L, 2L, 3L), new HardState(2, 0, 0),
            e(1, 1), e(2, 2), e(3, 2));
        follower.step(Message.builder(MessageType.APPEND).from(1).to(2).term(3).index(5).logTerm(3)
            .entries(List.of(e(6, 3))).build());
        Message response = drain(follower).get(0);
        assertThat(response.reject()).isTrue();
        assertThat(response.index()).isEqualTo(5);
        assertThat(response.rejectHint()).isEqualTo(3); // its last entry, term 2 <= 3
        assertThat(response.logTermHint()).isEqualTo(2);
        assertThat(follower.lastIndex()).isEqualTo(3);
    }

    @Test
    void leaderDoesNotCommitAnEntryOfAnEarlierTermByCountingReplicas() {
        // Raft paper figure 8: entry 2 of term 2 on a majority may still be overwritten, until an entry of the
        // leader's own term above it is committed.
        MemoryStorage storage = new MemoryStorage(ConfState.ofVoters(1L, 2L, 3L));
        storage.append(List.of(e(1, 1), e(2, 2)));
        storage.setHardState(new HardState(2, 0, 1));
        RaftCore leader = new RaftCore(plain(1), storage, new SplittableRandom(1));
        leader.campaign();
        leader.step(Message.builder(MessageType.VOTE_RESPONSE).from(2).to(1).term(3).build());
        assertThat(leader.role()).isEqualTo(StateRole.LEADER);
        assertThat(leader.lastIndex()).isEqualTo(3); // its no-op of term 3
        leader.step(Message.builder(MessageType.APPEND_RESPONSE).from(2).to(1).term(3).index(2).build());
        assertThat(leader.committedIndex()).isEqualTo(1);
        leader.step(Message.builder(MessageType.APPEND_RESPONSE).from(2).to(1).term(3).index(3).build());
        assertThat(leader.committedIndex()).isEqualTo(1); // the leader's own copy of 3 is not yet persisted
        Ready rd = leader.ready();
        storage.append(rd.entries());
        leader.advance(rd);
        assertThat(leader.committedIndex()).isEqualTo(3);
    }

    @Test
    void leaderSendsAppendsBeforePersistingButCountsItselfOnlyOncePersisted() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        RaftCore leader = c.core(1);
        leader.propose("x".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Ready rd = leader.ready();
        assertThat(rd.entries()).hasSize(1);
        long index = rd.entries().get(0).index();
        assertThat(rd.earlyMessages()).extracting(Message::type).containsOnly(MessageType.APPEND);
        assertThat(rd.earlyMessages()).extracting(Message::to).containsExactlyInAnyOrder(2L, 3L);
        // One follower persists and answers while the leader is still writing: one durable copy is no quorum.
        c.deliver(rd.earlyMessages().stream().filter(m -> m.to() == 2).findFirst().orElseThrow());
        for (Message m : c.processReady(c.member(2))) c.deliver(m);
        assertThat(leader.committedIndex()).isLessThan(index);
        c.member(1).storage.append(rd.entries());
        leader.advance(rd);
        assertThat(leader.committedIndex()).isEqualTo(index);
        // The new commit index goes out at once, so followers apply without waiting for a heartbeat.
        Ready next = leader.ready();
        assertThat(next.committedEntries()).extracting(Entry::index).contains(index);
        assertThat(next.earlyMessages()).filteredOn(m -> m.type() == MessageType.APPEND)
            .extracting(Message::commit).contains(index);
    }

    @Test
    void messagesOfANewTermWaitUntilTheTermIsPersisted() {
        RaftCore node = memberWithLog(plain(1), ConfState.ofVoters(1L, 2L, 3L), new HardState(2, 0, 1),
            e(1, 1), e(2, 2));
        node.campaign();
        node.step(Message.builder(MessageType.VOTE_RESPONSE).from(2).to(1).term(3).build());
        assertThat(node.role()).isEqualTo(StateRole.LEADER);
        Ready rd = node.ready();
        assertThat(rd.hardState().term()).isEqualTo(3);
        assertThat(rd.earlyMessages()).isEmpty();
        assertThat(rd.messages()).extracting(Message::type).contains(MessageType.APPEND);
    }

    @Test
    void deposedLeadersUncommittedEntriesAreReplacedByTheNewLeadersLog() {
        TestCluster c = new TestCluster(ReplicationTest::plain, 1, 2, 3);
        c.elect(1);
        c.propose(1, "a");
        c.isolate(1);
        c.propose(1, "lost-1"); // appended by 1 alone, never committed
        c.propose(1, "lost-2");
        assertThat(c.core(1).lastIndex()).isEqualTo(4);
        c.elect(2);
        c.propose(2, "b");
        c.heal();
        c.tickAll(3);
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.appliedData()).containsExactly("a", "b");
        }
        assertThat(c.member(1).storage.entries(1, 5, Long.MAX_VALUE)).extracting(Entry::term)
            .containsExactly(1L, 1L, 2L, 2L);
    }

    @Test
    void followerWithALongDivergentSuffixIsCaughtUpInAFewProbes() {
        // 1 led term 2 alone and appended 40 entries nobody else has; 2 leads term 3 with 20 entries of its own.
        Entry[] stale = new Entry[45];
        Entry[] fresh = new Entry[25];
        for (int i = 1; i <= 5; i++) {
            stale[i - 1] = e(i, 1);
            fresh[i - 1] = e(i, 1);
        }
        for (int i = 6; i <= 45; i++) stale[i - 1] = e(i, 2);
        for (int i = 6; i <= 25; i++) fresh[i - 1] = e(i, 3);
        TestCluster c = new TestCluster(ReplicationTest::plain, 1, 2);
        ConfState two = ConfState.ofVoters(1L, 2L);
        c.member(1).storage = new MemoryStorage(two);
        c.member(1).storage.append(List.of(stale));
        c.member(1).storage.setHardState(new HardState(2, 1, 5));
        c.member(2).storage = new MemoryStorage(two);
        c.member(2).storage.append(List.of(fresh));
        c.member(2).storage.setHardState(new HardState(3, 2, 5));
        c.restart(1);
        c.restart(2);
        c.elect(2);
        assertThat(c.core(2).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(1).lastIndex()).isEqualTo(26);
        assertThat(c.core(1).termAt(26)).isEqualTo(4);
        assertThat(c.core(1).committedIndex()).isEqualTo(26);
        assertThat(c.member(1).storage.lastIndex()).isEqualTo(26);
        long rejections = c.delivered.stream().filter(m -> m.type() == MessageType.APPEND_RESPONSE && m.reject())
            .count();
        assertThat(rejections).isLessThanOrEqualTo(2);
    }

    @Test
    void appendsAreBatchedUpToTheMaximumMessageSize() {
        // Each entry counts 24 header bytes plus 100 data bytes: two fit in 300, three do not.
        TestCluster c = new TestCluster(id -> plain(id).withFlowControl(300, 256), 1, 2);
        c.elect(1);
        c.isolate(2);
        for (int i = 0; i < 6; i++) c.core(1).propose(new byte[100]);
        c.settle();
        c.heal();
        c.delivered.clear();
        c.tickAll(3);
        List<Integer> batchSizes = c.delivered.stream()
            .filter(m -> m.type() == MessageType.APPEND && !m.entries().isEmpty())
            .map(m -> m.entries().size()).toList();
        assertThat(batchSizes).isNotEmpty().allMatch(n -> n <= 2).contains(2);
        assertThat(c.core(2).committedIndex()).isEqualTo(7);
    }

    @Test
    void leaderSendsNoMoreThanTheInflightWindowAheadOfAcknowledgements() {
        TestCluster c = new TestCluster(id -> plain(id).withFlowControl(1024 * 1024, 2), 1, 2);
        c.elect(1);
        c.drop = m -> m.type() == MessageType.APPEND_RESPONSE;
        c.delivered.clear();
        for (int i = 0; i < 5; i++) {
            c.core(1).propose(new byte[] {(byte) i});
            c.settle();
        }
        long appendsWithEntries = c.delivered.stream()
            .filter(m -> m.type() == MessageType.APPEND && !m.entries().isEmpty()).count();
        assertThat(appendsWithEntries).isEqualTo(2);
        c.heal();
        c.tickAll(3);
        assertThat(c.core(2).committedIndex()).isEqualTo(6);
    }

    @Test
    void leaderRefusesProposalsBeyondTheUncommittedSizeLimit() {
        TestCluster c = new TestCluster(id -> plain(id).withMaxUncommittedEntriesSize(150), 1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.core(1).propose(new byte[100]);
        assertThatThrownBy(() -> c.core(1).propose(new byte[100]))
            .isInstanceOf(ProposalDroppedException.class).hasMessageContaining("uncommitted");
    }

    @Test
    void restartedMemberHandsOutItsCommittedEntriesAgain() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.propose(1, "x");
        c.restart(2);
        c.member(2).applied.clear();
        c.processReady(c.member(2));
        assertThat(c.member(2).appliedData()).containsExactly("x");
    }

    @Test
    void readyMustBeAdvancedBeforeTheNextOne() {
        TestCluster c = TestCluster.of(1);
        c.core(1).campaign();
        c.core(1).ready();
        assertThat(c.core(1).hasReady()).isFalse();
        assertThatThrownBy(() -> c.core(1).ready()).isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("advance");
    }

    @Test
    void readyCarriesTheVoteToPersistBeforeTheVoteRequestsAreSent() {
        TestCluster c = new TestCluster(ReplicationTest::plain, 1, 2, 3);
        c.core(1).campaign();
        Ready rd = c.core(1).ready();
        assertThat(rd.hardState()).isEqualTo(new HardState(1, 1, 0));
        assertThat(rd.mustSync()).isTrue();
        assertThat(rd.messages()).extracting(Message::type).containsOnly(MessageType.VOTE);
    }
}
