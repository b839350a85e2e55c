package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ElectionTest {

    @Test
    void singleMemberBecomesLeaderWhenItCampaigns() {
        TestCluster c = TestCluster.of(1);
        c.elect(1);
        assertThat(c.core(1).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(1).term()).isEqualTo(1);
    }

    @Test
    void followerCampaignsAfterElectionTimeoutAndWinsWithAMajority() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.tickAll(25); // randomized timeout lies in [10, 20)
        long leader = c.leaderId();
        assertThat(leader).isNotEqualTo(RaftCore.NONE);
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.core.leader()).isEqualTo(leader);
            assertThat(m.core.term()).isEqualTo(c.core(leader).term());
        }
    }

    @Test
    void noFollowerCampaignsBeforeTheElectionTimeout() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.tickAll(9);
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.core.role()).isEqualTo(StateRole.FOLLOWER);
            assertThat(m.core.term()).isZero();
        }
    }

    @Test
    void candidateWithoutMajorityStaysCandidateAndDoesNotLead() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false), 1, 2, 3);
        c.drop = m -> m.from() != 1 || m.type() == MessageType.VOTE; // nobody hears 1's votes
        c.elect(1);
        assertThat(c.core(1).role()).isEqualTo(StateRole.CANDIDATE);
        assertThat(c.core(1).term()).isEqualTo(1);
    }

    @Test
    void voterGrantsAtMostOneVotePerTerm() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false),
            1, 2, 3);
        c.core(3).step(Message.builder(MessageType.VOTE).from(1).to(3).term(1).build());
        c.core(3).step(Message.builder(MessageType.VOTE).from(2).to(3).term(1).build());
        List<Message> out = c.collect();
        assertThat(out).extracting(Message::type, Message::to, Message::reject).containsExactly(
            org.assertj.core.groups.Tuple.tuple(MessageType.VOTE_RESPONSE, 1L, false),
            org.assertj.core.groups.Tuple.tuple(MessageType.VOTE_RESPONSE, 2L, true));
        assertThat(c.core(3).vote()).isEqualTo(1);
    }

    @Test
    void voterRefusesCandidateWhoseLogIsLessUpToDate() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false),
            1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.propose(1, "x"); // 1 and 2 hold entry 2, 3 does not
        c.heal();
        c.drop = m -> m.from() == 1 || m.to() == 1;
        c.core(3).campaign();
        c.settle();
        assertThat(c.core(3).role()).isNotEqualTo(StateRole.LEADER);
        c.core(2).campaign();
        c.settle();
        assertThat(c.core(2).role()).isEqualTo(StateRole.LEADER);
    }

    @Test
    void leaderStepsDownWhenItSeesAHigherTerm() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false),
            1, 2, 3);
        c.elect(1);
        c.core(1).step(Message.builder(MessageType.APPEND_RESPONSE).from(2).to(1).term(5).build());
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
        assertThat(c.core(1).term()).isEqualTo(5);
    }

    @Test
    void messagesFromAnOlderTermAreIgnored() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false),
            1, 2, 3);
        c.elect(1);
        c.elect(2);
        assertThat(c.core(2).term()).isEqualTo(2);
        c.core(3).step(Message.builder(MessageType.APPEND).from(1).to(3).term(1).index(1).logTerm(1)
            .entries(List.of(Entry.normal(2, 1, new byte[] {1}))).build());
        assertThat(c.core(3).leader()).isEqualTo(2);
        assertThat(c.core(3).lastIndex()).isEqualTo(2); // the no-ops of terms 1 and 2, nothing else
    }

    @Test
    void preVoteRoundLeavesTermUnchangedWhenItFails() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.isolate(1);
        c.core(1).campaign();
        c.settle();
        assertThat(c.core(1).role()).isEqualTo(StateRole.PRE_CANDIDATE);
        assertThat(c.core(1).term()).isZero();
    }

    @Test
    void rejoiningMemberDoesNotDisruptAStableLeader() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.tick(3, 100); // 3 keeps campaigning alone; with pre-vote it never raises its term
        c.settle();
        assertThat(c.core(3).term()).isEqualTo(1);
        c.heal();
        c.tickAll(5);
        assertThat(c.core(1).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(1).term()).isEqualTo(1);
        assertThat(c.core(3).leader()).isEqualTo(1);
    }

    @Test
    void withoutPreVoteARejoiningMemberForcesANewElection() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false).withCheckQuorum(false),
            1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.tick(3, 100);
        c.settle();
        assertThat(c.core(3).term()).isGreaterThan(1);
        c.heal();
        c.tickAll(40);
        assertThat(c.core(c.leaderId()).term()).isGreaterThan(1);
    }

    @Test
    void leaderWithCheckQuorumStepsDownWhenItLosesTheQuorum() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.tick(1, 20); // two check-quorum periods: the first sees the activity of the last one
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
        assertThat(c.core(1).term()).isEqualTo(1);
    }

    @Test
    void leaderWithQuorumStaysLeaderThroughCheckQuorum() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.tickAll(50);
        assertThat(c.core(1).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(1).term()).isEqualTo(1);
    }

    @Test
    void voterInsideTheLeaderLeaseIgnoresVoteRequests() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.collect();
        c.core(2).step(Message.builder(MessageType.VOTE).from(3).to(2).term(5).index(9).logTerm(9).build());
        assertThat(c.core(2).term()).isEqualTo(1);
        assertThat(c.collect()).isEmpty();
    }

    @Test
    void newLeaderIsElectedAfterTheOldOneIsCutOff() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.tickAll(50);
        long leader = c.leaderId();
        assertThat(leader).isIn(2L, 3L);
        assertThat(c.core(leader).term()).isEqualTo(2);
    }

    @Test
    void restartedMemberKeepsItsTermAndVote() {
        TestCluster c = new TestCluster(id -> RaftConfig.defaults(id).withPreVote(false), 1, 2, 3);
        c.elect(1);
        c.restart(2);
        assertThat(c.core(2).term()).isEqualTo(1);
        assertThat(c.core(2).vote()).isEqualTo(1);
        assertThat(c.core(2).role()).isEqualTo(StateRole.FOLLOWER);
    }
}
