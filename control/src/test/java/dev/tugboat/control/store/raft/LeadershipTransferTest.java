package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LeadershipTransferTest {

    @Test
    void upToDateFollowerTakesOverInTheNextTermDespiteTheLeaderLease() {
        TestCluster c = TestCluster.of(1, 2, 3); // check-quorum on: voters otherwise ignore votes inside the lease
        c.elect(1);
        c.propose(1, "x");
        c.core(1).transferLeadership(3);
        c.settle();
        assertThat(c.core(3).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(3).term()).isEqualTo(2);
        assertThat(c.core(1).role()).isEqualTo(StateRole.FOLLOWER);
        assertThat(c.core(1).leader()).isEqualTo(3);
        assertThat(c.delivered).anyMatch(m -> m.type() == MessageType.TIMEOUT_NOW && m.to() == 3);
    }

    @Test
    void laggingTargetIsCaughtUpBeforeItIsToldToCampaign() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        c.propose(1, "x");
        c.propose(1, "y");
        c.heal();
        c.delivered.clear();
        c.core(1).transferLeadership(3);
        c.settle();
        int firstTimeoutNow = -1;
        int lastAppendTo3 = -1;
        for (int i = 0; i < c.delivered.size(); i++) {
            Message m = c.delivered.get(i);
            if (m.type() == MessageType.TIMEOUT_NOW && firstTimeoutNow < 0) firstTimeoutNow = i;
            if (m.type() == MessageType.APPEND && m.to() == 3 && !m.entries().isEmpty() && m.term() == 1) {
                lastAppendTo3 = i;
            }
        }
        assertThat(lastAppendTo3).isGreaterThanOrEqualTo(0).isLessThan(firstTimeoutNow);
        assertThat(c.core(3).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.member(3).appliedData()).containsExactly("x", "y");
    }

    @Test
    void proposalsAreRefusedWhileATransferIsUnderWay() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.drop = m -> m.type() == MessageType.TIMEOUT_NOW;
        c.core(1).transferLeadership(2);
        c.settle();
        assertThatThrownBy(() -> c.core(1).propose(new byte[] {1}))
            .isInstanceOf(ProposalDroppedException.class).hasMessageContaining("transferring leadership to 2");
    }

    @Test
    void transferThatDoesNotCompleteWithinAnElectionTimeoutIsAbandoned() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.drop = m -> m.type() == MessageType.TIMEOUT_NOW;
        c.core(1).transferLeadership(2);
        c.settle();
        assertThat(c.core(1).leadTransferee()).isEqualTo(2);
        c.tickAll(10);
        assertThat(c.core(1).leadTransferee()).isEqualTo(RaftCore.NONE);
        assertThat(c.core(1).role()).isEqualTo(StateRole.LEADER);
        c.propose(1, "accepted again");
        assertThat(c.member(2).appliedData()).containsExactly("accepted again");
    }

    @Test
    void transferRequestedOnAFollowerIsForwardedToTheLeader() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.core(3).transferLeadership(2);
        c.settle();
        assertThat(c.core(2).role()).isEqualTo(StateRole.LEADER);
        assertThat(c.core(3).leader()).isEqualTo(2);
    }

    @Test
    void transferToALearnerOrToItselfIsIgnored() {
        TestCluster c = TestCluster.growable(1, 2, 3);
        c.elect(1);
        c.addBlankMember(4);
        c.core(1).proposeConfChange(new ConfChange(ConfChangeType.ADD_LEARNER, 4));
        c.settle();
        c.core(1).transferLeadership(4);
        c.core(1).transferLeadership(1);
        c.settle();
        assertThat(c.core(1).leadTransferee()).isEqualTo(RaftCore.NONE);
        assertThat(c.core(1).role()).isEqualTo(StateRole.LEADER);
    }
}
