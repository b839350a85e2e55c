package dev.tugboat.control.store.embedded;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ExecutorService;

/**
 * A single-member store kept in a data directory, for {@code tug server} and {@code tug store}:
 * <pre>
 *   DATA_DIR/lock          held while the store is open (one process per directory)
 *   DATA_DIR/snapshot      the state at some applied index ({@code StateSnapshot} format)
 *   DATA_DIR/commands.log  every command after it, fsynced before it is acknowledged
 * </pre>
 * Opening restores the snapshot and replays the log. This is the stand-in until the replicated log takes over.
 */
public final class EmbeddedStore {

  /** Snapshot and empty the log once it holds this much. */
  public static final long SNAPSHOT_AFTER_LOG_BYTES = 64L << 20;

  private EmbeddedStore() {}

  public static MvccKeyValueStore open(Path dataDir) {
    return open(dataDir, MvccKeyValueStore.DEFAULT_PROGRESS_INTERVAL, SNAPSHOT_AFTER_LOG_BYTES);
  }

  public static MvccKeyValueStore open(Path dataDir, Duration progressInterval, long snapshotAfterLogBytes) {
    FileChannel lockChannel = null;
    ExecutorService watchExecutor = null;
    try {
      Files.createDirectories(dataDir);
      lockChannel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = lockChannel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null;  // this process holds it already
      }
      if (lock == null) {
        throw new StoreException(StoreException.Code.INVALID_ARGUMENT,
            "data dir " + dataDir + " is in use by another process (" + dataDir.resolve("lock") + " is locked)");
      }
      watchExecutor = MvccKeyValueStore.newWatchExecutor();
      StoreStateMachine stateMachine = new StoreStateMachine(watchExecutor);
      Path snapshot = dataDir.resolve("snapshot");
      if (Files.exists(snapshot)) {
        try (InputStream in = Files.newInputStream(snapshot)) {
          stateMachine.restoreSnapshot(in);
        } catch (StoreException e) {
          throw new StoreException(e.code(), snapshot + ": " + e.getMessage(), 0, e);
        }
      }
      Path logFile = dataDir.resolve("commands.log");
      CommandLog log = CommandLog.open(logFile, record -> replay(stateMachine, logFile, record));
      DurableProposer proposer = new DurableProposer(stateMachine, log, snapshot, snapshotAfterLogBytes);
      FileChannel heldLock = lockChannel;
      return new MvccKeyValueStore(stateMachine, proposer, progressInterval, watchExecutor::shutdownNow, heldLock);
    } catch (IOException | RuntimeException e) {
      if (watchExecutor != null) {
        watchExecutor.shutdownNow();
      }
      closeQuietly(lockChannel);
      if (e instanceof IOException io) {
        throw new UncheckedIOException("opening the store in " + dataDir + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  private static void replay(StoreStateMachine stateMachine, Path logFile, CommandLog.Record record) {
    long applied = stateMachine.appliedIndex();
    if (record.index() <= applied) {
      return;
    }
    if (record.index() != applied + 1) {
      throw new StoreException(StoreException.Code.CORRUPT,
          logFile + ": record " + record.index() + " follows applied index " + applied + " (records are missing)");
    }
    stateMachine.apply(record.index(), record.command());
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // Only the lock goes with it.
      }
    }
  }
}
