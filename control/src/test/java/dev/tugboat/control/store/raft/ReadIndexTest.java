package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReadIndexTest {

    private static byte[] ctx(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RaftConfig lease(long id) {
        return RaftConfig.defaults(id).withReadOnlyOption(ReadOnlyOption.LEASE_BASED);
    }

    @Test
    void leaderAnswersAReadOnceAQuorumAcknowledgesItsHeartbeat() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.propose(1, "x");
        c.core(1).readIndex(ctx("r1"));
        java.util.List<Message> heartbeats = c.processReady(c.member(1));
        assertThat(heartbeats).extracting(Message::type).containsOnly(MessageType.HEARTBEAT);
        assertThat(c.member(1).readStates).isEmpty();
        heartbeats.forEach(c::deliver);
        c.settle();
        assertThat(c.member(1).readStates).singleElement().satisfies(rs -> {
            assertThat(rs.requestContext()).isEqualTo(ctx("r1"));
            assertThat(rs.index()).isEqualTo(2);
        });
    }

    @Test
    void quorumConfirmingALaterReadAlsoConfirmsEarlierOnes() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.drop = m -> m.type() == MessageType.HEARTBEAT_RESPONSE;
        c.core(1).readIndex(ctx("r1"));
        c.settle();
        c.heal();
        c.core(1).readIndex(ctx("r2"));
        c.settle();
        assertThat(c.member(1).readStates).extracting(rs -> new String(rs.requestContext(), StandardCharsets.UTF_8))
            .containsExactly("r1", "r2");
    }

    @Test
    void leaderCutOffFromTheQuorumNeverAnswersAReadIndex() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.core(1).readIndex(ctx("r"));
        c.tickAll(5);
        assertThat(c.member(1).readStates).isEmpty();
    }

    @Test
    void followerReadIndexIsConfirmedByTheLeaderAndAnsweredToTheFollower() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.propose(1, "x");
        c.core(3).readIndex(ctx("f"));
        c.settle();
        assertThat(c.member(3).readStates).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(2));
        assertThat(c.member(1).readStates).isEmpty();
    }

    @Test
    void newLeaderDefersReadsUntilAnEntryOfItsTermIsCommitted() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.drop = m -> m.type() == MessageType.APPEND_RESPONSE;
        c.elect(1);
        c.core(1).readIndex(ctx("r"));
        c.settle();
        assertThat(c.core(1).committedIndex()).isZero();
        assertThat(c.member(1).readStates).isEmpty();
        c.heal();
        c.tickAll(2);
        assertThat(c.member(1).readStates).singleElement().satisfies(rs -> assertThat(rs.index()).isEqualTo(1));
    }

    @Test
    void candidateRefusesReadIndex() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.isolate(1);
        c.core(1).campaign();
        assertThatThrownBy(() -> c.core(1).readIndex(ctx("r"))).isInstanceOf(ProposalDroppedException.class);
    }

    /** A leader elected by timeout in a lease-reading cluster, after one acknowledged heartbeat round. */
    private static long electLeaseHolder(TestCluster c) {
        c.tickAll(30);
        long leader = c.leaderId();
        assertThat(leader).isNotEqualTo(RaftCore.NONE);
        return leader;
    }

    @Test
    void leaseHolderAnswersReadsWithoutAHeartbeatRound() {
        TestCluster c = new TestCluster(ReadIndexTest::lease, 1, 2, 3);
        long leader = electLeaseHolder(c);
        assertThat(c.core(leader).hasLeaderLease()).isTrue();
        c.core(leader).readIndex(ctx("r"));
        java.util.List<Message> out = c.collect();
        assertThat(out).noneMatch(m -> m.type() == MessageType.HEARTBEAT);
        assertThat(c.member(leader).readStates).hasSize(1);
    }

    @Test
    void leaseRunsOutWithinAnElectionTimeoutWhenHeartbeatsGoUnacknowledged() {
        TestCluster c = new TestCluster(ReadIndexTest::lease, 1, 2, 3);
        long leader = electLeaseHolder(c);
        c.isolate(leader);
        c.tick(leader, Simulation.ELECTION_TICKS - 1);
        c.settle();
        assertThat(c.core(leader).hasLeaderLease()).isFalse();
        if (c.core(leader).role() == StateRole.LEADER) {
            c.core(leader).readIndex(ctx("r"));
            c.settle();
            assertThat(c.member(leader).readStates).isEmpty();
        }
    }

    @Test
    void leaseEndsBeforeAnyOtherMemberMayVoteForANewLeader() {
        TestCluster c = new TestCluster(ReadIndexTest::lease, 1, 2, 3);
        long leader = electLeaseHolder(c);
        c.isolate(leader);
        for (int t = 0; t < 40; t++) {
            for (TestCluster.Member m : c.members.values()) m.core.tick();
            c.settle();
            for (TestCluster.Member m : c.members.values()) {
                if (m.id != leader && m.core.role() == StateRole.LEADER) {
                    assertThat(c.core(leader).hasLeaderLease()).isFalse();
                }
            }
        }
        assertThat(c.leaderId()).isNotEqualTo(leader);
    }

    @Test
    void leaderThatStartedATransferGivesUpItsLease() {
        TestCluster c = new TestCluster(ReadIndexTest::lease, 1, 2, 3);
        long leader = electLeaseHolder(c);
        long target = leader == 1 ? 2 : 1;
        c.drop = m -> m.type() == MessageType.TIMEOUT_NOW;
        c.core(leader).transferLeadership(target);
        c.settle();
        assertThat(c.core(leader).hasLeaderLease()).isFalse();
    }

    @Test
    void freshlyStartedMemberWithLeaseReadsWaitsAnElectionTimeoutBeforeVoting() {
        // It may have acknowledged a leader's lease just before it restarted.
        TestCluster c = new TestCluster(ReadIndexTest::lease, 1, 2, 3);
        c.core(2).step(Message.builder(MessageType.VOTE).from(1).to(2).term(1).build());
        assertThat(c.core(2).term()).isZero();
        assertThat(c.collect()).isEmpty();
    }
}
