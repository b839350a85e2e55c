package dev.tugboat.control.store.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.HardState;
import dev.tugboat.control.store.raft.LogCompactedException;
import dev.tugboat.control.store.raft.LogUnavailableException;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
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

  private static byte[] snapshotData(LogStorage storage) throws IOException {
    try (InputStream in = storage.openSnapshotData()) {
      return in.readAllBytes();
    }
  }

  @Test
  void outOfRangeReadsFailTheWayTheCoreExpects() throws IOException {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.append(entries(1, 10, 1), new HardState(1, 1, 5));
      storage.saveSnapshot(new SnapshotMetadata(5, 1, THREE), out -> out.write(new byte[] {42}));
      assertThatThrownBy(() -> storage.entries(4, 8, Long.MAX_VALUE)).isInstanceOf(LogCompactedException.class);
      assertThatThrownBy(() -> storage.term(3)).isInstanceOf(LogCompactedException.class);
      assertThatThrownBy(() -> storage.entries(6, 12, Long.MAX_VALUE)).isInstanceOf(LogUnavailableException.class);
      assertThatThrownBy(() -> storage.term(11)).isInstanceOf(LogUnavailableException.class);
      assertThat(storage.term(5)).isEqualTo(1);
      assertThat(storage.entries(6, 11, Long.MAX_VALUE)).isEqualTo(entries(6, 10, 1));
      assertThat(storage.snapshot().data()).as("the core's snapshot names the file; its data stays on disk").isEmpty();
      assertThat(snapshotData(storage)).containsExactly(42);
    }
  }

  @Test
  void entriesAnInstalledSnapshotCoversAreSkipped() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.saveSnapshot(new SnapshotMetadata(20, 2, THREE), out -> out.write(1));
      storage.append(entries(18, 22, 2), null);
      assertThat(storage.firstIndex()).isEqualTo(21);
      assertThat(storage.lastIndex()).isEqualTo(22);
    }
  }

  @Test
  void aRestartKeepsSnapshotLogAndHardStateTogether() throws IOException {
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
      assertThat(snapshotData(storage)).containsExactly(7);
    }
  }

  @Test
  void theCommitIndexIsWrittenOnlyWithEntriesAndTermAndVoteAlways() {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.append(entries(1, 10, 3), new HardState(3, 2, 4));
      storage.sync();
      // a Ready that only moves the commit index: nothing to write
      storage.append(List.of(), new HardState(3, 2, 10));
      storage.sync();
    }
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.initialState().hardState()).isEqualTo(new HardState(3, 2, 4));
      // a new term is written even without entries, and the commit goes with it
      storage.append(List.of(), new HardState(4, 0, 6));
      storage.sync();
    }
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.initialState().hardState()).isEqualTo(new HardState(4, 0, 6));
      storage.append(entries(11, 11, 4), new HardState(4, 0, 11));
      storage.sync();
    }
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.initialState().hardState()).isEqualTo(new HardState(4, 0, 11));
    }
  }

  /** A snapshot as a follower receives it: a checked file under a temporary name in the snapshot directory. */
  private static SnapshotFiles.Stored received(LogStorage storage, SnapshotMetadata meta, byte[] data)
      throws IOException {
    Path elsewhere = Files.createTempDirectory(storage.receivingDirectory().getParent(), "leader");
    Path file = new SnapshotFiles(elsewhere).save(meta, out -> out.write(data));
    Path temp = storage.receivingDirectory().resolve("received-x.snap" + SnapshotFiles.TEMPORARY_SUFFIX);
    Files.move(file, temp);
    return SnapshotFiles.check(temp);
  }

  @Test
  void aReceivedSnapshotIsRenamedIntoPlaceAndCompactsTheLog() throws IOException {
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      storage.append(entries(1, 10, 1), new HardState(1, 1, 10));
      storage.sync();
      SnapshotMetadata meta = new SnapshotMetadata(40, 2, THREE);
      SnapshotFiles.Stored installed = storage.installSnapshot(received(storage, meta, new byte[] {9, 8}));
      assertThat(installed.file()).isEqualTo(storage.snapshotFile(meta));
      assertThat(storage.snapshotMetadata()).isEqualTo(meta);
      assertThat(storage.firstIndex()).isEqualTo(41);
      assertThat(snapshotData(storage)).containsExactly(9, 8);
      try (var files = Files.list(storage.receivingDirectory())) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .noneMatch(name -> name.endsWith(SnapshotFiles.TEMPORARY_SUFFIX));
      }
      assertThat(storage.snapshotFile(new SnapshotMetadata(40, 1, THREE))).as("another snapshot's file").isNull();
      assertThatThrownBy(() -> storage.installSnapshot(received(storage, new SnapshotMetadata(30, 2, THREE),
          new byte[] {1}))).isInstanceOf(IllegalArgumentException.class);
    }
    try (LogStorage storage = LogStorage.open(dir, THREE)) {
      assertThat(storage.snapshotMetadata().index()).isEqualTo(40);
      assertThat(snapshotData(storage)).containsExactly(9, 8);
      try (var files = Files.list(storage.receivingDirectory())) {
        assertThat(files.map(f -> f.getFileName().toString()))
            .as("a received file not installed is deleted at the next start")
            .noneMatch(name -> name.endsWith(SnapshotFiles.TEMPORARY_SUFFIX));
      }
    }
  }
}
