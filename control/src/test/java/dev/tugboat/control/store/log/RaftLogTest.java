package dev.tugboat.control.store.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.EntryType;
import dev.tugboat.control.store.raft.HardState;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RaftLogTest {
  @TempDir
  Path dir;

  private final SetTimeProvider clock = new SetTimeProvider("2026-11-28T00:00:00");

  private RaftLog open() {
    return RaftLog.open(dir, clock, RollCycles.FIVE_MINUTELY, RaftLog.SyncMethod.FILE_CHANNEL_FORCE);
  }

  private static Entry entry(long index, long term) {
    return new Entry(index, term, EntryType.NORMAL, ("entry-" + index + "-term-" + term).getBytes(StandardCharsets.UTF_8));
  }

  private static List<Entry> entries(long from, long to, long term) {
    List<Entry> list = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      list.add(entry(i, term));
    }
    return list;
  }

  private static void assertSameEntries(List<Entry> actual, List<Entry> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).index()).isEqualTo(expected.get(i).index());
      assertThat(actual.get(i).term()).isEqualTo(expected.get(i).term());
      assertThat(actual.get(i).type()).isEqualTo(expected.get(i).type());
      assertThat(actual.get(i).data()).isEqualTo(expected.get(i).data());
    }
  }

  @Test
  void syncedEntriesAndHardStateSurviveReopen() {
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isZero();
      assertThat(log.hardState()).isEqualTo(HardState.EMPTY);
      log.append(entries(1, 100, 1));
      log.append(List.of(new Entry(101, 2, EntryType.CONF_CHANGE, new byte[] {9, 8, 7})));
      log.saveHardState(new HardState(2, 3, 90));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.firstIndex()).isEqualTo(1);
      assertThat(log.lastIndex()).isEqualTo(101);
      assertThat(log.term(0)).isZero();
      assertThat(log.term(100)).isEqualTo(1);
      assertThat(log.term(101)).isEqualTo(2);
      assertThat(log.hardState()).isEqualTo(new HardState(2, 3, 90));
      assertSameEntries(log.entries(1, 101, Long.MAX_VALUE), entries(1, 100, 1));
      Entry last = log.entry(101);
      assertThat(last.type()).isEqualTo(EntryType.CONF_CHANGE);
      assertThat(last.data()).containsExactly(9, 8, 7);
      assertThat(log.discardedRecords()).isZero();
    }
  }

  @Test
  void aCommitIndexWrittenWithEntriesSurvivesReopenWithoutAHardStateRecord() {
    try (RaftLog log = open()) {
      log.saveHardState(new HardState(2, 3, 0));
      log.append(entries(1, 10, 2), 4);
      log.append(entries(11, 12, 2), 9);
      assertThat(log.hardState()).isEqualTo(new HardState(2, 3, 9));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.hardState()).isEqualTo(new HardState(2, 3, 9));
      assertThat(log.lastIndex()).isEqualTo(12);
      // a later term's record with an older commit (written before those entries were) keeps the newer commit
      log.saveHardState(new HardState(3, 0, 9));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.hardState()).isEqualTo(new HardState(3, 0, 9));
    }
  }

  @Test
  void anEntryRecordsNoCommitPastItsOwnIndexSoATornBatchNeverLeavesACommitPastTheLog() throws IOException {
    byte[] marker = marker();
    try (RaftLog log = open()) {
      log.append(entries(1, 20, 1), 0);
      // a follower appends 21..22 and learns in the same APPEND that everything up to 22 is committed
      log.append(List.of(entry(21, 1), new Entry(22, 1, EntryType.NORMAL, marker)), 22);
      log.sync();
    }
    cutInsideTheRecordOf(marker);
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isEqualTo(21);
      assertThat(log.hardState().commit()).isEqualTo(21);
    }
  }

  @Test
  void aCommitWrittenInEntriesThatAreTruncatedLaterStillHolds() {
    try (RaftLog log = open()) {
      log.append(entries(1, 8, 1), 0);
      log.append(entries(9, 12, 1), 10);
      log.append(entries(11, 13, 2), 10);
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.hardState().commit()).isEqualTo(10);
      assertThat(log.term(12)).isEqualTo(2);
    }
  }

  @Test
  void compactionKeepsACommitThatOnlyEntriesInTheDeletedFilesHeld() throws IOException {
    try (RaftLog log = open()) {
      log.saveHardState(new HardState(1, 1, 0));
      log.append(entries(1, 10, 1), 10);
      log.sync();
      clock.advanceMillis(10 * 60_000);
      log.append(entries(11, 12, 1), 0);
      log.compact(10, 1);
      assertThat(log.cycleFileCount()).isEqualTo(1);
    }
    try (RaftLog log = open()) {
      assertThat(log.hardState()).isEqualTo(new HardState(1, 1, 10));
      assertThat(log.firstIndex()).isEqualTo(11);
    }
  }

  @Test
  void appendingOverAConflictingSuffixReplacesItAcrossReopen() {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.append(entries(6, 8, 2));
      assertThat(log.lastIndex()).isEqualTo(8);
      assertThat(log.term(5)).isEqualTo(1);
      assertThat(log.term(6)).isEqualTo(2);
      assertThat(log.entry(7).data()).isEqualTo(entry(7, 2).data());
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isEqualTo(8);
      List<Entry> expected = new ArrayList<>(entries(1, 5, 1));
      expected.addAll(entries(6, 8, 2));
      assertSameEntries(log.entries(1, 9, Long.MAX_VALUE), expected);
    }
  }

  @Test
  void appendThatLeavesAGapIsRefused() {
    try (RaftLog log = open()) {
      log.append(entries(1, 3, 1));
      assertThatThrownBy(() -> log.append(entries(5, 6, 1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot append entry 5 to a log holding 1..3");
      assertThat(log.lastIndex()).isEqualTo(3);
    }
  }

  @Test
  void entriesStopAtTheByteLimitButReturnAtLeastOne() {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      int size = entry(1, 1).data().length;
      assertThat(log.entries(1, 11, size * 3L)).hasSize(3);
      assertThat(log.entries(1, 11, 1)).hasSize(1);
    }
  }

  @Test
  void aCorruptedLastRecordIsDroppedOnOpenAndStaysDroppedAfterLaterAppends() throws IOException {
    byte[] marker = new byte[200];
    Arrays.fill(marker, (byte) 0x5A);
    try (RaftLog log = open()) {
      log.append(entries(1, 20, 1));
      log.saveHardState(new HardState(1, 1, 20));
      log.append(List.of(new Entry(21, 1, EntryType.NORMAL, marker)));
      log.sync();
    }
    Path file = onlyCycleFile();
    long at = find(file, marker);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(at + 100);
      raf.write(0x00);
    }
    try (RaftLog log = open()) {
      assertThat(log.discardedRecords()).isEqualTo(1);
      assertThat(log.lastIndex()).isEqualTo(20);
      assertThat(log.hardState()).isEqualTo(new HardState(1, 1, 20));
      log.append(entries(21, 25, 2));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isEqualTo(25);
      assertThat(log.term(21)).isEqualTo(2);
      assertSameEntries(log.entries(21, 26, Long.MAX_VALUE), entries(21, 25, 2));
      assertThat(log.discardedRecords()).isEqualTo(1);
    }
  }

  @Test
  void entriesLargerThanTheRecordBufferReadBackWholeAfterReopen() {
    byte[] large = new byte[70_000];
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) (i * 7 + 3);
    }
    List<Entry> written = new ArrayList<>(entries(1, 2, 1));
    written.add(new Entry(3, 1, EntryType.NORMAL, large));
    written.add(entry(4, 1));
    written.add(new Entry(5, 1, EntryType.NORMAL, Arrays.copyOf(large, 9_000)));
    try (RaftLog log = open()) {
      log.append(written);
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.discardedRecords()).isZero();
      assertSameEntries(log.entries(1, 6, Long.MAX_VALUE), written);
    }
  }

  @Test
  void aFileCutInsideTheLastRecordLosesOnlyThatRecord() throws IOException {
    byte[] marker = marker();
    try (RaftLog log = open()) {
      log.append(entries(1, 20, 1));
      log.append(List.of(new Entry(21, 1, EntryType.NORMAL, marker)));
      log.sync();
    }
    cutInsideTheRecordOf(marker);
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isEqualTo(20);
      assertSameEntries(log.entries(1, 21, Long.MAX_VALUE), entries(1, 20, 1));
      log.append(entries(21, 22, 3));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.lastIndex()).isEqualTo(22);
      assertThat(log.term(22)).isEqualTo(3);
    }
  }

  @Test
  void compactionDeletesCycleFilesBelowTheSnapshotAndKeepsTheHardState() throws IOException {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.saveHardState(new HardState(1, 2, 10));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      log.append(entries(11, 20, 1));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      log.append(entries(21, 30, 2));
      log.sync();
      assertThat(cycleFiles()).hasSize(3);

      log.compact(15, 1);
      assertThat(cycleFiles()).hasSize(2);
      assertThat(log.firstIndex()).isEqualTo(16);
      assertThat(log.term(15)).isEqualTo(1);
      assertSameEntries(log.entries(16, 31, Long.MAX_VALUE).subList(0, 5), entries(16, 20, 1));
    }
    try (RaftLog log = open()) {
      assertThat(log.snapshotIndex()).isEqualTo(15);
      assertThat(log.snapshotTerm()).isEqualTo(1);
      assertThat(log.lastIndex()).isEqualTo(30);
      assertThat(log.hardState()).isEqualTo(new HardState(1, 2, 10));
      assertSameEntries(log.entries(21, 31, Long.MAX_VALUE), entries(21, 30, 2));
      assertThatThrownBy(() -> log.entry(15)).isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void aKeptCycleThatStartsWithAHardStateReopensAfterCompaction() throws IOException {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      // the group commit's hard state after the entries of the cycle before is the first record of this one
      log.saveHardState(new HardState(1, 1, 10));
      log.append(entries(11, 20, 1));
      log.sync();
      log.compact(10, 1);
      assertThat(cycleFiles()).hasSize(1);
    }
    try (RaftLog log = open()) {
      assertThat(log.snapshotIndex()).isEqualTo(10);
      assertThat(log.lastIndex()).isEqualTo(20);
      assertThat(log.hardState()).isEqualTo(new HardState(1, 1, 10));
      assertSameEntries(log.entries(11, 21, Long.MAX_VALUE), entries(11, 20, 1));
    }
  }

  @Test
  void aKeptCycleThatStartsWithAnOlderSnapshotRecordReopensAfterCompaction() throws IOException {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      log.compact(5, 1); // its record opens the second cycle; entries 6..10 keep the first
      log.append(entries(11, 20, 1));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      log.append(entries(21, 30, 2));
      log.sync();
      log.compact(15, 1);
      assertThat(cycleFiles()).hasSize(2);
    }
    try (RaftLog log = open()) {
      assertThat(log.snapshotIndex()).isEqualTo(15);
      assertThat(log.snapshotTerm()).isEqualTo(1);
      assertThat(log.lastIndex()).isEqualTo(30);
      assertSameEntries(log.entries(16, 31, Long.MAX_VALUE),
          Stream.concat(entries(16, 20, 1).stream(), entries(21, 30, 2).stream()).toList());
    }
  }

  @Test
  void aKeptCycleWithAnOlderSnapshotRecordAfterItsFirstEntryReopensAfterCompaction() throws IOException {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.sync();
      clock.advanceMillis(RollCycles.FIVE_MINUTELY.lengthInMillis());
      log.append(entries(11, 20, 1));
      log.compact(5, 1); // entries 6..10 keep the first cycle
      log.compact(12, 1);
      assertThat(cycleFiles()).hasSize(1);
    }
    try (RaftLog log = open()) {
      assertThat(log.snapshotIndex()).isEqualTo(12);
      assertThat(log.lastIndex()).isEqualTo(20);
      assertSameEntries(log.entries(13, 21, Long.MAX_VALUE), entries(13, 20, 1));
    }
  }

  @Test
  void installingASnapshotPastTheLogEmptiesItAndAppendsContinueAfterIt() {
    try (RaftLog log = open()) {
      log.append(entries(1, 5, 1));
      log.compact(50, 3);
      assertThat(log.firstIndex()).isEqualTo(51);
      assertThat(log.lastIndex()).isEqualTo(50);
      assertThat(log.term(50)).isEqualTo(3);
      log.append(entries(51, 52, 3));
      log.sync();
    }
    try (RaftLog log = open()) {
      assertThat(log.firstIndex()).isEqualTo(51);
      assertThat(log.lastIndex()).isEqualTo(52);
      assertSameEntries(log.entries(51, 53, Long.MAX_VALUE), entries(51, 52, 3));
    }
  }

  @Test
  void aSnapshotThatDisagreesWithTheLogAtItsIndexDropsEveryEntry() {
    try (RaftLog log = open()) {
      log.append(entries(1, 10, 1));
      log.compact(5, 2);
      assertThat(log.lastIndex()).isEqualTo(5);
      assertThat(log.term(5)).isEqualTo(2);
    }
  }

  private List<Path> cycleFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".cq4")).sorted().toList();
    }
  }

  private Path onlyCycleFile() throws IOException {
    List<Path> files = cycleFiles();
    assertThat(files).hasSize(1);
    return files.get(0);
  }

  private static long find(Path file, byte[] pattern) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    outer:
    for (int i = 0; i + pattern.length <= bytes.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (bytes[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("pattern not found in " + file);
  }

  /** A record's data that find() can locate in the cycle file: 5000 bytes of 'k'. */
  private static byte[] marker() {
    byte[] marker = new byte[5000];
    Arrays.fill(marker, (byte) 0x6B);
    return marker;
  }

  /** Cuts the only cycle file 1000 bytes into the record holding {@code marker}, as a crash in mid-write leaves it. */
  private void cutInsideTheRecordOf(byte[] marker) throws IOException {
    Path file = onlyCycleFile();
    long at = find(file, marker);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(at + 1000);
    }
  }
}
