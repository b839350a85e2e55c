package dev.tugboat.control.store.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.HardState;
import dev.tugboat.control.store.raft.LogCompactedException;
import dev.tugboat.control.store.raft.LogUnavailableException;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStorageTest {
  @TempDir
  Path dir;

  private static final ConfState THREE = ConfState.ofVoters(1L, 2L, 3L);

  private static List<Entry> entries(long from, long to, long term) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      list.add(Entry.normal(i, term, new byte[] {(byte) i}));
    }
    return list;
  }

  @Test
  void aNewMemberStartsFromItsBootstrapConfigurationWithAnEmptyLog() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.initialState().hardState()).isEqualTo(HardState.EMPTY);
      assertThat(storage.initialState().confState()).isEqualTo(THREE);
      assertThat(storage.firstIndex()).isEqualTo(1);
      assertThat(storage.lastIndex()).isZero();
      assertThat(storage.term(0)).isZero();
    }
  }

  @Test
  void outOfRangeReadsFailTheWayTheCoreExpects() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.append(entries(1, 10, 1), new HardState(1, 1, 5));
      storage.saveSnapshot(new SnapshotMetadata(5, 1, THREE), out -> out.write(new byte[] {42}));
      assertThatThrownBy(() -> storage.entries(4, 8, Long.MAX_VALUE)).isInstanceOf(LogCompactedException.class);
      assertThatThrownBy(() -> storage.term(3)).isInstanceOf(LogCompactedException.class);
      assertThatThrownBy(() -> storage.entries(6, 12, Long.MAX_VALUE)).isInstanceOf(LogUnavailableException.class);
      assertThatThrownBy(() -> storage.term(11)).isInstanceOf(LogUnavailableException.class);
      assertThat(storage.term(5)).isEqualTo(1);
      assertThat(storage.entries(6, 11, Long.MAX_VALUE)).isEqualTo(entries(6, 10, 1));
      assertThat(storage.snapshot().data()).containsExactly(42);
    }
  }

  @Test
  void entriesAnInstalledSnapshotCoversAreSkipped() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.saveSnapshot(new Snapshot(new SnapshotMetadata(20, 2, THREE), new byte[] {1}));
      storage.append(entries(18, 22, 2), null);
      assertThat(storage.firstIndex()).isEqualTo(21);
      assertThat(storage.lastIndex()).isEqualTo(22);
    }
  }

  @Test
  void aRestartKeepsSnapshotLogAndHardStateTogether() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.append(entries(1, 30, 3), new HardState(3, 2, 25));
      storage.sync();
      storage.saveSnapshot(new SnapshotMetadata(25, 3, ConfState.ofVoters(1L, 2L)), out -> out.write(7));
    }
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.initialState().hardState()).isEqualTo(new HardState(3, 2, 25));
      assertThat(storage.initialState().confState()).isEqualTo(ConfState.ofVoters(1L, 2L));
      assertThat(storage.firstIndex()).isEqualTo(26);
      assertThat(storage.lastIndex()).isEqualTo(30);
      assertThat(storage.snapshot().metadata().index()).isEqualTo(25);
      assertThat(storage.snapshot().data()).containsExactly(7);
    }
  }
}
