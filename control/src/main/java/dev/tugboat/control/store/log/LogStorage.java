package dev.tugboat.control.store.log;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.HardState;
import dev.tugboat.control.store.raft.LogCompactedException;
import dev.tugboat.control.store.raft.LogUnavailableException;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import dev.tugboat.control.store.raft.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The Raft core's {@link Storage} over a member's durable {@link RaftLog} and {@link SnapshotFiles}: the log is
 * compacted exactly up to the newest snapshot, so {@code firstIndex() - 1} is always the snapshot's index.
 *
 * <p>Written only by the driver thread (in the order a {@code Ready} asks for), read by the core on the same thread.
 */
public final class LogStorage implements Storage, AutoCloseable {
  private final RaftLog log;
  private final SnapshotFiles snapshots;
  private final ConfState bootstrap;
  private SnapshotMetadata snapshotMetadata;
  private Path snapshotFile;

  private LogStorage(RaftLog log, SnapshotFiles snapshots, ConfState bootstrap) {
    this.log = log;
    this.snapshots = snapshots;
    this.bootstrap = bootstrap;
    SnapshotFiles.Stored newest = snapshots.newest();
    this.snapshotMetadata = newest != null ? newest.metadata() : new SnapshotMetadata(0, 0, bootstrap);
    this.snapshotFile = snapshots.fileOf(snapshotMetadata);
    if (snapshotMetadata.index() > log.snapshotIndex()) {
      // the snapshot was saved but the crash came before the log recorded its compaction
      log.compact(snapshotMetadata.index(), snapshotMetadata.term());
    }
  }

  /** Opens the log in {@code directory/log} and the snapshots in {@code directory/snap}. */
  public static LogStorage open(Path directory, ConfState bootstrap) {
    RaftLog log = RaftLog.open(directory.resolve("log"));
    try {
      return new LogStorage(log, new SnapshotFiles(directory.resolve("snap")), bootstrap);
    } catch (RuntimeException e) {
      log.close();
      throw e;
    }
  }

  public RaftLog log() {
    return log;
  }

  @Override
  public InitialState initialState() {
    return new InitialState(log.hardState(), snapshotMetadata.confState());
  }

  @Override
  public List<Entry> entries(long lo, long hi, long maxSizeBytes) {
    if (lo < log.firstIndex()) {
      throw new LogCompactedException(lo, log.firstIndex());
    }
    if (hi - 1 > log.lastIndex()) {
      throw new LogUnavailableException(hi - 1, log.lastIndex());
    }
    return log.entries(lo, hi, maxSizeBytes);
  }

  @Override
  public long term(long index) {
    if (index < log.snapshotIndex()) {
      throw new LogCompactedException(index, log.firstIndex());
    }
    if (index > log.lastIndex()) {
      throw new LogUnavailableException(index, log.lastIndex());
    }
    return log.term(index);
  }

  @Override
  public long firstIndex() {
    return log.firstIndex();
  }

  @Override
  public long lastIndex() {
    return log.lastIndex();
  }

  /**
   * The newest snapshot's metadata only, never its data: the SNAPSHOT message the core makes of it names the snapshot,
   * and the transport streams the file itself ({@link #snapshotFile}) beside the message. Read whole, the data of a
   * million keys (~290 MB) took more heap than a member has, on the leader and again on the follower.
   */
  @Override
  public Snapshot snapshot() {
    return new Snapshot(snapshotMetadata, null);
  }

  /**
   * The file of the snapshot with {@code metadata}, to stream to a follower; null if that is no longer the newest
   * snapshot (the leader took another since it made the message: the core sends the newer one after a failure).
   */
  public Path snapshotFile(SnapshotMetadata metadata) {
    return metadata.index() != 0 && metadata.equals(snapshotMetadata) ? snapshotFile : null;
  }

  /** Where a snapshot received from the leader is written while it arrives (the snapshot directory). */
  public Path receivingDirectory() {
    return snapshots.directory();
  }

  @Override
  public SnapshotMetadata snapshotMetadata() {
    return snapshotMetadata;
  }

  /**
   * The newest snapshot's data streamed from its file, checked whole first; empty if no snapshot was ever taken. A
   * restart restores from it without holding the whole state in memory twice.
   */
  public InputStream openSnapshotData() throws IOException {
    if (snapshotMetadata.index() == 0) {
      return InputStream.nullInputStream();
    }
    return SnapshotFiles.check(snapshotFile).openData();
  }

  /**
   * Stages entries and hard state; durable after {@link #sync()}. Entries a snapshot already covers are skipped, as
   * the core may still hand over some that a snapshot installed meanwhile made moot.
   *
   * <p>Term and vote are written whenever they change. The commit index is written only with entries, inside their
   * records: Raft does not need it durable (a restarted member relearns it from the leader, a leader by committing an
   * entry of its term), and a record of its own cost every member one more Chronicle write per put. So a restart may
   * find an older commit index than the member had, never one past what was committed and is in the log.
   * Measured on one thread with the store's JIT flags, a member's log work per put (append a 300-byte entry, fsync;
   * before: then a HARD_STATE record with the new commit), 8,000 puts, alternated 3 times (2026-11-29): on a quiet
   * machine 95-100 us of CPU either way; with a store bench running beside it 241-303 us before, 233-267 after, and
   * 780-1014 us of wall time before against 679-841 after.
   */
  public void append(List<Entry> entries, HardState hardState) {
    int skip = 0;
    while (skip < entries.size() && entries.get(skip).index() <= log.snapshotIndex()) {
      skip++;
    }
    long commit = hardState != null ? hardState.commit() : log.hardState().commit();
    log.append(skip == 0 ? entries : entries.subList(skip, entries.size()), commit);
    HardState stored = log.hardState();
    if (hardState != null && (hardState.term() != stored.term() || hardState.vote() != stored.vote())) {
      log.saveHardState(hardState);
    }
  }

  /** Stages the whole hard state, commit index included (a clean stop leaves it for the restart); durable after sync. */
  public void saveHardState(HardState hardState) {
    log.saveHardState(hardState);
  }

  public void sync() {
    log.sync();
  }

  /**
   * Installs a snapshot received from the leader, already checked whole under a temporary name: renames it into place
   * (durably, before the log forgets anything it covers) and compacts the log up to it. Returns it at its new place.
   *
   * @throws IllegalArgumentException if it is no newer than the current snapshot (the core never installs such one)
   */
  public SnapshotFiles.Stored installSnapshot(SnapshotFiles.Stored received) {
    SnapshotMetadata metadata = received.metadata();
    if (metadata.index() <= snapshotMetadata.index()) {
      throw new IllegalArgumentException("snapshot at index " + metadata.index() + " received from the leader is no "
          + "newer than this member's at index " + snapshotMetadata.index());
    }
    SnapshotFiles.Stored installed = snapshots.adopt(received);
    snapshotFile = installed.file();
    snapshotMetadata = metadata;
    log.compact(metadata.index(), metadata.term());
    return installed;
  }

  /** Saves a snapshot this member takes, its data streamed from the state machine, and compacts the log up to it. */
  public void saveSnapshot(SnapshotMetadata metadata, SnapshotFiles.DataWriter data) {
    if (metadata.index() <= snapshotMetadata.index()) {
      return;
    }
    snapshotWritten(metadata, writeSnapshotFile(metadata, data));
  }

  /**
   * Writes a snapshot file durably without adopting it: the one method any thread may call, as it touches only the
   * snapshot directory, so that writing a large state does not hold up the driver thread.
   */
  public Path writeSnapshotFile(SnapshotMetadata metadata, SnapshotFiles.DataWriter data) {
    return snapshots.save(metadata, data);
  }

  /**
   * Adopts a file from {@link #writeSnapshotFile} as the newest snapshot and compacts the log up to it; a snapshot
   * no newer than the current one (one installed from the leader meanwhile) is ignored.
   */
  public void snapshotWritten(SnapshotMetadata metadata, Path file) {
    if (metadata.index() <= snapshotMetadata.index()) {
      return;
    }
    snapshotFile = file;
    snapshotMetadata = metadata;
    log.compact(metadata.index(), metadata.term());
  }

  /** The bootstrap configuration this member was started with. */
  public ConfState bootstrap() {
    return bootstrap;
  }

  @Override
  public void close() {
    log.close();
  }
}
