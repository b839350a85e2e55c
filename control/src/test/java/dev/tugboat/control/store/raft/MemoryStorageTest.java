package dev.tugboat.control.store.raft;

import static dev.tugboat.control.store.raft.ReplicationTest.e;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryStorageTest {

    private static MemoryStorage withEntries(int n) {
        MemoryStorage s = new MemoryStorage(ConfState.ofVoters(1L));
        for (int i = 1; i <= n; i++) s.append(List.of(e(i, 1)));
        return s;
    }

    @Test
    void appendAtAnExistingIndexReplacesThatEntryAndEverythingAfterIt() {
        MemoryStorage s = withEntries(5);
        s.append(List.of(e(3, 2), e(4, 2)));
        assertThat(s.lastIndex()).isEqualTo(4);
        assertThat(s.entries(1, 5, Long.MAX_VALUE)).extracting(Entry::term).containsExactly(1L, 1L, 2L, 2L);
    }

    @Test
    void appendLeavingAGapIsRefused() {
        MemoryStorage s = withEntries(2);
        assertThatThrownBy(() -> s.append(List.of(e(4, 1)))).hasMessageContaining("gap");
    }

    @Test
    void entriesStopAtTheSizeLimitButReturnAtLeastOne() {
        MemoryStorage s = withEntries(5);
        long oneEntry = e(1, 1).sizeBytes();
        assertThat(s.entries(1, 6, 0)).hasSize(1);
        assertThat(s.entries(1, 6, 2 * oneEntry)).hasSize(2);
        assertThat(s.entries(1, 6, Long.MAX_VALUE)).hasSize(5);
    }

    @Test
    void compactionKeepsTheTermOfTheLastCompactedEntry() {
        MemoryStorage s = withEntries(5);
        s.createSnapshot(3, ConfState.ofVoters(1L), new byte[] {3});
        s.compact(3);
        assertThat(s.firstIndex()).isEqualTo(4);
        assertThat(s.term(3)).isEqualTo(1);
        assertThatThrownBy(() -> s.term(2)).isInstanceOf(LogCompactedException.class);
        assertThatThrownBy(() -> s.entries(3, 5, Long.MAX_VALUE)).isInstanceOf(LogCompactedException.class);
        assertThatThrownBy(() -> s.term(6)).isInstanceOf(LogUnavailableException.class);
    }

    @Test
    void compactionBeyondTheSnapshotIsRefused() {
        MemoryStorage s = withEntries(5);
        assertThatThrownBy(() -> s.compact(2)).hasMessageContaining("not covered by the snapshot");
    }

    @Test
    void appliedSnapshotReplacesTheWholeLog() {
        MemoryStorage s = withEntries(5);
        Snapshot snap = new Snapshot(new SnapshotMetadata(10, 4, ConfState.ofVoters(1L, 2L)), new byte[] {9});
        s.applySnapshot(snap);
        assertThat(s.firstIndex()).isEqualTo(11);
        assertThat(s.lastIndex()).isEqualTo(10);
        assertThat(s.term(10)).isEqualTo(4);
        assertThat(s.snapshot()).isEqualTo(snap);
        assertThat(s.initialState().confState()).isEqualTo(ConfState.ofVoters(1L, 2L));
    }

    @Test
    void bootstrapLogHoldsOneCommittedVoterEntryPerInitialMember() {
        MemoryStorage s = MemoryStorage.bootstrap(List.of(3L, 1L, 2L));
        assertThat(s.lastIndex()).isEqualTo(3);
        assertThat(s.hardState()).isEqualTo(new HardState(1, RaftCore.NONE, 3));
        assertThat(s.entries(1, 4, Long.MAX_VALUE)).extracting(en -> ConfChange.decode(en.data()).nodeId())
            .containsExactly(1L, 2L, 3L);
    }
}
