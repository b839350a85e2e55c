package dev.tugboat.control.store.raft;

import static dev.tugboat.control.store.raft.ReplicationTest.e;
import static dev.tugboat.control.store.raft.ReplicationTest.memberWithLog;
import static dev.tugboat.control.store.raft.ReplicationTest.plain;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SnapshotTest {

    private static final ConfState THREE = ConfState.ofVoters(1L, 2L, 3L);

    /** The leader snapshots everything it applied and drops its log up to there. */
    private static void snapshotAndCompact(TestCluster.Member m) {
        long applied = m.core.appliedIndex();
        m.storage.createSnapshot(applied, m.core.confState(), ("state@" + applied).getBytes(StandardCharsets.UTF_8));
        m.storage.compact(applied);
    }

    @Test
    void followerBehindTheCompactedLogReceivesASnapshotAndThenTheRest() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 5; i++) c.propose(1, "v" + i);
        snapshotAndCompact(c.member(1));
        assertThat(c.member(1).storage.firstIndex()).isEqualTo(7);
        c.heal();
        c.tickAll(3);
        c.propose(1, "after");
        TestCluster.Member follower = c.member(3);
        assertThat(follower.installedSnapshots).singleElement().satisfies(s -> {
            assertThat(s.metadata().index()).isEqualTo(6);
            assertThat(s.metadata().confState()).isEqualTo(THREE);
            assertThat(new String(s.data(), StandardCharsets.UTF_8)).isEqualTo("state@6");
        });
        assertThat(follower.appliedData()).containsExactly("after");
        assertThat(follower.core.appliedIndex()).isEqualTo(7);
        assertThat(follower.storage.snapshot().metadata().index()).isEqualTo(6);
    }

    @Test
    void snapshotNotNewerThanTheCommitIndexIsIgnored() {
        RaftCore follower = memberWithLog(plain(2), THREE, new HardState(1, 0, 3), e(1, 1), e(2, 1), e(3, 1));
        Snapshot old = new Snapshot(new SnapshotMetadata(2, 1, THREE), new byte[] {1});
        follower.step(Message.builder(MessageType.SNAPSHOT).from(1).to(2).term(1).snapshot(old).build());
        Ready rd = follower.ready();
        assertThat(rd.snapshot()).isNull();
        assertThat(rd.messages()).singleElement().satisfies(m -> {
            assertThat(m.type()).isEqualTo(MessageType.APPEND_RESPONSE);
            assertThat(m.index()).isEqualTo(3);
        });
    }

    @Test
    void snapshotWhoseLastEntryTheLogHoldsOnlyAdvancesTheCommitIndex() {
        RaftCore follower = memberWithLog(plain(2), THREE, new HardState(1, 0, 1), e(1, 1), e(2, 1), e(3, 1));
        Snapshot s = new Snapshot(new SnapshotMetadata(2, 1, THREE), new byte[] {1});
        follower.step(Message.builder(MessageType.SNAPSHOT).from(1).to(2).term(1).snapshot(s).build());
        Ready rd = follower.ready();
        assertThat(rd.snapshot()).isNull();
        assertThat(follower.committedIndex()).isEqualTo(2);
        assertThat(follower.lastIndex()).isEqualTo(3);
    }

    @Test
    void installingASnapshotReplacesTheLogAndTheConfiguration() {
        RaftCore follower = memberWithLog(plain(2), THREE, new HardState(1, 0, 1), e(1, 1), e(2, 1));
        ConfState four = ConfState.ofVoters(1L, 2L, 3L, 4L);
        Snapshot s = new Snapshot(new SnapshotMetadata(10, 3, four), new byte[] {7});
        follower.step(Message.builder(MessageType.SNAPSHOT).from(1).to(2).term(3).snapshot(s).build());
        Ready rd = follower.ready();
        assertThat(rd.snapshot()).isEqualTo(s);
        assertThat(rd.committedEntries()).isEmpty();
        assertThat(rd.hardState().commit()).isEqualTo(10);
        assertThat(follower.confState()).isEqualTo(four);
        assertThat(follower.lastIndex()).isEqualTo(10);
        assertThat(rd.messages()).singleElement().satisfies(m -> assertThat(m.index()).isEqualTo(10));
        follower.advance(rd);
        assertThat(follower.appliedIndex()).isEqualTo(10);
    }

    @Test
    void restartedMemberResumesApplyingAfterItsSnapshotNotAfterTheCompactionPoint() {
        // The driver keeps a few entries before its snapshot for slow followers.
        MemoryStorage storage = new MemoryStorage(THREE);
        storage.append(List.of(e(1, 1), e(2, 1), e(3, 1), e(4, 1), e(5, 1)));
        storage.setHardState(new HardState(1, 0, 5));
        storage.createSnapshot(4, THREE, new byte[] {4});
        storage.compact(2);
        RaftCore restarted = new RaftCore(plain(1), storage, new SplittableRandom(1));
        assertThat(restarted.appliedIndex()).isEqualTo(4);
        assertThat(restarted.ready().committedEntries()).containsExactly(e(5, 1));
    }

    @Test
    void restartAfterASnapshotWasSavedButNotTheHardStateTreatsTheSnapshotAsCommitted() {
        MemoryStorage storage = new MemoryStorage(THREE);
        storage.setHardState(new HardState(2, 1, 0));
        storage.applySnapshot(new Snapshot(new SnapshotMetadata(8, 2, THREE), new byte[] {8}));
        RaftCore restarted = new RaftCore(plain(1), storage, new SplittableRandom(1));
        assertThat(restarted.committedIndex()).isEqualTo(8);
        assertThat(restarted.appliedIndex()).isEqualTo(8);
        assertThat(restarted.term()).isEqualTo(2);
    }

    @Test
    void lostSnapshotReportedAsFailedIsRetried() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 3; i++) c.propose(1, "v" + i);
        snapshotAndCompact(c.member(1));
        c.heal();
        c.drop = m -> m.type() == MessageType.SNAPSHOT;
        c.tickAll(2);
        assertThat(c.member(3).installedSnapshots).isEmpty();
        c.core(1).reportSnapshot(3, SnapshotStatus.FAILED);
        c.heal();
        c.tickAll(3);
        assertThat(c.member(3).installedSnapshots).hasSize(1);
    }

    @Test
    void leaderRetriesASnapshotNobodyReportedOnAfterTwoElectionTimeouts() {
        TestCluster c = TestCluster.of(1, 2, 3);
        c.elect(1);
        c.isolate(3);
        for (int i = 0; i < 3; i++) c.propose(1, "v" + i);
        snapshotAndCompact(c.member(1));
        c.heal();
        c.drop = m -> m.type() == MessageType.SNAPSHOT;
        c.tickAll(2);
        c.heal();
        c.tickAll(25);
        assertThat(c.member(3).installedSnapshots).hasSize(1);
        assertThat(c.core(3).committedIndex()).isEqualTo(c.core(1).committedIndex());
    }
}
