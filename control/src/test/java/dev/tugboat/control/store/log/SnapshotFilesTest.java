package dev.tugboat.control.store.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFilesTest {
  @TempDir
  Path dir;

  private static Snapshot snapshot(long index, int size) {
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (i * 31 + index);
    }
    return new Snapshot(new SnapshotMetadata(index, 2, new ConfState(List.of(1L, 2L, 3L), List.of(7L))), data);
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void aSavedSnapshotReadsBackWithItsConfigurationAndData() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    Snapshot saved = snapshot(100, 300_000);
    files.save(saved);
    Snapshot loaded = SnapshotFiles.read(files.newest().file());
    assertThat(loaded.metadata()).isEqualTo(saved.metadata());
    assertThat(loaded.data()).isEqualTo(saved.data());
    try (InputStream streamed = files.newest().openData()) {
      assertThat(streamed.readAllBytes()).isEqualTo(saved.data());
    }
    // the data ends where the trailer starts, skipped over or read
    try (InputStream streamed = files.newest().openData()) {
      assertThat(streamed.skip(saved.data().length - 10)).isEqualTo(saved.data().length - 10);
      assertThat(streamed.skip(1000)).isEqualTo(10);
      assertThat(streamed.read()).isEqualTo(-1);
    }
  }

  @Test
  void aSnapshotForcedToDiskPieceByPieceReadsBackWhole() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    Snapshot saved = snapshot(100, (int) (2.5 * SnapshotFiles.WRITEBACK_BYTES) + 12_345);
    SnapshotMetadata meta = saved.metadata();
    // written in pieces of odd sizes, so that the forces fall inside writes as they do for a streamed state
    files.save(meta, out -> {
      for (int at = 0; at < saved.data().length; at += 1_000_003) {
        out.write(saved.data(), at, Math.min(1_000_003, saved.data().length - at));
      }
    });
    Snapshot loaded = SnapshotFiles.read(files.newest().file());
    assertThat(loaded.metadata()).isEqualTo(meta);
    assertThat(loaded.data()).isEqualTo(saved.data());
    try (InputStream streamed = files.newest().openData()) {
      assertThat(streamed.readAllBytes()).isEqualTo(saved.data());
    }
  }

  @Test
  void onlyTheTwoNewestAreKeptAndNoTemporaryFileRemains() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    for (long index = 10; index <= 50; index += 10) {
      files.save(snapshot(index, 100));
    }
    assertThat(files()).extracting(p -> p.getFileName().toString()).containsExactly(
        "0000000000000028-0000000000000002.snap", "0000000000000032-0000000000000002.snap");
    assertThat(files.newest().metadata().index()).isEqualTo(50);
  }

  @Test
  void aDamagedNewestSnapshotFallsBackToTheOlderOne() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    files.save(snapshot(10, 1000));
    files.save(snapshot(20, 1000));
    try (RandomAccessFile raf = new RandomAccessFile(files().get(1).toFile(), "rw")) {
      raf.seek(500);
      raf.write(raf.read() ^ 0xFF);
    }
    assertThat(files.newest().metadata().index()).isEqualTo(10);
  }

  @Test
  void anEmptyDirectoryHasNoSnapshot() {
    assertThat(new SnapshotFiles(dir).newest()).isNull();
  }
}
