package dev.tugboat.control.store.log;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.HardState;
import dev.tugboat.control.store.raft.LogCompactedException;
import dev.tugboat.control.store.raft.LogUnavailableException;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import dev.tugboat.control.store.raft.Storage;
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
  private Snapshot snapshot;

  private LogStorage(RaftLog log, SnapshotFiles snapshots, ConfState bootstrap) {
    this.log = log;
    this.snapshots = snapshots;
    this.bootstrap = bootstrap;
    Snapshot newest = snapshots.loadNewest();
    this.snapshot = newest != null ? newest : new Snapshot(new SnapshotMetadata(0, 0, bootstrap), new byte[0]);
    if (snapshot.metadata().index() > log.snapshotIndex()) {
      // the snapshot was saved but the crash came before the log recorded its compaction
      log.compact(snapshot.metadata().index(), snapshot.metadata().term());
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
    return new InitialState(log.hardState(), snapshot.metadata().confState());
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

  @Override
  public Snapshot snapshot() {
    return snapshot;
  }

  /** Stages entries and hard state; durable after {@link #sync()}. */
  public void append(List<Entry> entries, HardState hardState) {
    log.append(entries);
    if (hardState != null) {
      log.saveHardState(hardState);
    }
  }

  public void sync() {
    log.sync();
  }

  /**
   * Saves a snapshot (one this member took, or one received from the leader) and compacts the log up to it. The
   * file is durable before the log forgets anything it covers.
   */
  public void saveSnapshot(Snapshot newSnapshot) {
    if (newSnapshot.metadata().index() <= snapshot.metadata().index()) {
      return;
    }
    snapshots.save(newSnapshot);
    snapshot = newSnapshot;
    log.compact(newSnapshot.metadata().index(), newSnapshot.metadata().term());
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
