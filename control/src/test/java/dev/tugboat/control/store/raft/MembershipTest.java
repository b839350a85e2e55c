package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MembershipTest {

    private static void change(TestCluster c, long leader, ConfChangeType type, long node) {
        c.core(leader).proposeConfChange(new ConfChange(type, node));
        c.settle();
    }

    @Test
    void addedVoterCatchesUpAndJoinsTheQuorum() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.propose(1, "before");
        c.addBlankMember(4);
        change(c, 1, ConfChangeType.ADD_VOTER, 4);
        c.tickAll(2);
        ConfState four = ConfState.ofVoters(1L, 2L, 3L, 4L);
        for (TestCluster.Member m : c.members.values()) assertThat(m.core.confState()).isEqualTo(four);
        assertThat(c.member(4).appliedData()).containsExactly("before");
        // With four voters, two are no longer a quorum.
        c.drop = m -> m.to() == 3 || m.from() == 3 || m.to() == 4 || m.from() == 4;
        long commit = c.core(1).committedIndex();
        c.propose(1, "needs three");
        assertThat(c.core(1).committedIndex()).isEqualTo(commit);
        c.heal();
        c.tickAll(2);
        assertThat(c.core(1).committedIndex()).isEqualTo(commit + 1);
    }

    @Test
    void removedVoterNoLongerCountsTowardsTheQuorum() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        change(c, 1, ConfChangeType.REMOVE_NODE, 3);
        assertThat(c.core(1).confState()).isEqualTo(ConfState.ofVoters(1L, 2L));
        c.isolate(3);
        c.propose(1, "x");
        assertThat(c.member(2).appliedData()).containsExactly("x");
        c.drop = m -> m.to() == 2 || m.from() == 2;
        c.tick(1, 25); // 3 is gone: 1 alone is no quorum of {1, 2}
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
    }

    @Test
    void learnerReceivesTheLogButNeverVotesOrCampaigns() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.addBlankMember(4);
        change(c, 1, ConfChangeType.ADD_LEARNER, 4);
        c.propose(1, "x");
        assertThat(c.member(4).appliedData()).containsExactly("x");
        assertThat(c.core(1).confState()).isEqualTo(new ConfState(List.of(1L, 2L, 3L), List.of(4L)));
        c.isolate(4);
        c.tick(4, 100);
        c.settle();
        assertThat(c.core(4).role()).isEqualTo(StateRole.FOLLOWER);
        assertThat(c.core(4).term()).isEqualTo(c.core(1).term());
        // Its acknowledgements do not commit anything: 1 and the learner are not a quorum.
        c.drop = m -> m.to() == 2 || m.from() == 2 || m.to() == 3 || m.from() == 3;
        long commit = c.core(1).committedIndex();
        c.propose(1, "y");
        assertThat(c.core(4).lastIndex()).isEqualTo(c.core(1).lastIndex());
        assertThat(c.core(1).committedIndex()).isEqualTo(commit);
    }

    @Test
    void promotedLearnerBecomesAVoter() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.addBlankMember(4);
        change(c, 1, ConfChangeType.ADD_LEARNER, 4);
        change(c, 1, ConfChangeType.ADD_VOTER, 4);
        assertThat(c.core(4).confState()).isEqualTo(ConfState.ofVoters(1L, 2L, 3L, 4L));
        c.isolate(1);
        c.tickAll(40);
        assertThat(c.leaderId()).isIn(2L, 3L, 4L);
    }

    @Test
    void onlyOneConfigurationChangeMayBePendingAtATime() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.isolate(1);
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 4));
        assertThatThrownBy(() -> c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 5)))
            .isInstanceOf(ProposalDroppedException.class).hasMessageContaining("not yet applied");
        c.heal();
        c.settle();
        c.tickAll(1);
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 5));
    }

    @Test
    void newLeaderAcceptsNoChangeUntilItsFirstEntryIsApplied() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.drop = m -> m.type() == MessageType.APPEND_RESPONSE;
        c.elect(1);
        assertThatThrownBy(() -> c.core(1).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 3)))
            .isInstanceOf(ProposalDroppedException.class);
        c.heal();
        c.tickAll(2);
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.REMOVE_NODE, 3));
    }

    @Test
    void bootstrappedMembersStartWithTheConfigurationInTheirLog() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.core.confState()).isEqualTo(ConfState.ofVoters(1L, 2L, 3L));
            assertThat(m.core.appliedIndex()).isEqualTo(3);
            assertThat(m.core.term()).isEqualTo(1);
        }
    }

    @Test
    void leaderThatRemovesItselfStepsDownAndTheOthersElectALeader() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        change(c, 1, ConfChangeType.REMOVE_NODE, 1);
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
        c.tickAll(40);
        assertThat(c.leaderId()).isIn(2L, 3L);
        long leader = c.leaderId();
        c.propose(leader, "x");
        assertThat(c.member(2).appliedData()).containsExactly("x");
        assertThat(c.core(leader).confState()).isEqualTo(ConfState.ofVoters(2L, 3L));
    }

    @Test
    void memberWithACommittedButUnappliedChangeDoesNotCampaign() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 4));
        // Deliver everything but let 2 never apply: commit reaches it through the heartbeat only.
        c.settle();
        assertThat(c.core(2).confState().learners()).containsExactly(4L);
    }

    @Test
    void confChangeRoundTripsThroughItsEncoding() {
        for (ConfChangeType type : ConfChangeType.values()) {
            ConfChange cc = new ConfChange(type, 42);
            assertThat(ConfChange.decode(cc.encode())).isEqualTo(cc);
        }
        assertThatThrownBy(() -> ConfChange.decode(new byte[3])).hasMessageContaining("at least 9 bytes");
        ConfChange withContext = new ConfChange(ConfChangeType.UPDATE_NODE, 7, new byte[] {1, 2, 3});
        assertThat(ConfChange.decode(withContext.encode())).isEqualTo(withContext);
        assertThat(ConfChange.decode(withContext.encode()).context()).containsExactly(1, 2, 3);
    }

    @Test
    void updateNodeChangesNoConfigurationAndItsContextReachesEveryMember() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        long leader = 1;
        ConfState before = c.core(1).confState();
        change(c, leader, ConfChangeType.UPDATE_NODE, 2);
        for (TestCluster.Member m : c.members.values()) {
            assertThat(m.core.confState()).isEqualTo(before);
        }
        // the entry is committed and applied, so the next change is accepted at once
        change(c, leader, ConfChangeType.REMOVE_NODE, 3);
        assertThat(c.core(1).confState().voters()).containsExactly(1L, 2L);
    }

    @Test
    void leaderReportsHowFarEachMemberIsReplicated() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        long leader = 1;
        c.propose(1, "x");
        long last = c.core(leader).lastIndex();
        assertThat(c.core(leader).matchIndex(2)).isEqualTo(last);
        assertThat(c.core(leader).matchIndex(9)).isEqualTo(-1);
        assertThat(c.core(2).matchIndex(1)).isEqualTo(-1);
    }
}
