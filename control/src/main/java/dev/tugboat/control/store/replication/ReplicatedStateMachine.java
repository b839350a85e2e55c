package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.log.SnapshotFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * What Raft replicates into: a deterministic state machine that applies committed commands in log order and can be
 * saved to and restored from a byte stream. The store's MVCC state machine is one.
 */
public interface ReplicatedStateMachine {

  /**
   * Applies the command committed at {@code index}, the {@code length} bytes of {@code data} from {@code offset} (a
   * log entry holds it after a header, read in place); returns the result for whoever proposed it (an exception
   * instance means the command failed deterministically), or null if {@code index} was applied already.
   */
  Object apply(long index, byte[] data, int offset, int length);

  /** The index of the last command applied (or restored from a snapshot). */
  long appliedIndex();

  void writeSnapshot(OutputStream out) throws IOException;

  /**
   * The state as it is now, to be written out on another thread while applies go on. This default writes it to
   * memory at once; a large state machine captures it more cheaply.
   */
  default SnapshotFiles.DataWriter captureSnapshot() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      writeSnapshot(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("capture snapshot into memory", e);
    }
    return bytes::writeTo;
  }

  /** Replaces the whole state with a snapshot's. */
  void restoreSnapshot(InputStream in) throws IOException;
}
