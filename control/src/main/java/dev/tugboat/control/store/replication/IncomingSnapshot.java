package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One snapshot arriving from the leader: its chunks written as they come to a temporary file in the member's snapshot
 * directory, then the file checked whole (its checksum, and its metadata against the SNAPSHOT message's) before the
 * member sees the message. Whatever goes wrong (the stream breaks, the file fails its check, the member stops), the
 * file is deleted: nothing half-received is ever installed or left behind.
 *
 * <p>{@link #write} runs on the connection's event loop, which reads no more from the socket while it writes, so TCP
 * holds the leader back when the disk is slower than the network. {@link #forceWritten} and {@link #finish} (fsync and
 * a read of the whole file) run on another thread, so that the event loop's other connections are not held up.
 */
final class IncomingSnapshot {
  private enum State { RECEIVING, CHECKING, HANDED_OVER, ABORTED }

  private final Message message;
  private final long length;
  private final Path file;
  private final FileChannel channel;
  private long written;
  private long forceRequestedAt;
  private State state = State.RECEIVING;

  /** Starts receiving the snapshot {@code message} names, of {@code length} bytes, into {@code directory}. */
  IncomingSnapshot(Path directory, Message message, long length) throws IOException {
    if (message.snapshot() == null || length <= 0) {
      throw new IOException("SNAPSHOT frame without a snapshot or with a length of " + length);
    }
    this.message = message;
    this.length = length;
    SnapshotMetadata meta = message.snapshot().metadata();
    this.file = Files.createTempFile(directory, String.format("received-%016x-%016x-", meta.index(), meta.term()),
        ".snap" + SnapshotFiles.TEMPORARY_SUFFIX);
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE);
  }

  Message message() {
    return message;
  }

  Path file() {
    return file;
  }

  /** Appends one chunk; returns whether the snapshot is now whole. */
  boolean write(ByteBuffer chunk) throws IOException {
    if (written + chunk.remaining() > length) {
      throw new IOException("the leader sent more than the " + length + " bytes it announced");
    }
    while (chunk.hasRemaining()) {
      written += channel.write(chunk, written);
    }
    return written == length;
  }

  /**
   * Whether enough was written since the last request to force it to disk now: the file is forced every
   * {@link SnapshotFiles#WRITEBACK_BYTES} as the member's own snapshots are, so that the log's fsyncs never wait
   * behind hundreds of MB of it.
   */
  boolean dueForForce() {
    if (written - forceRequestedAt < SnapshotFiles.WRITEBACK_BYTES) {
      return false;
    }
    forceRequestedAt = written;
    return true;
  }

  /** Forces what was written so far to disk; a failure is left for {@link #finish} to meet. */
  void forceWritten() {
    try {
      channel.force(false);
    } catch (IOException ignored) {
      // finish() forces again and reports it
    }
  }

  /**
   * Forces the whole file to disk and checks it; returns it, handed over to the caller (who installs or deletes it).
   * Deletes it and throws if it does not check.
   */
  SnapshotFiles.Stored finish() throws IOException {
    synchronized (this) {
      if (state != State.RECEIVING) {
        throw new IOException("snapshot " + file + ": the stream was closed before it was checked");
      }
      state = State.CHECKING;
    }
    try {
      channel.force(false);
      channel.close();
      SnapshotFiles.Stored stored = SnapshotFiles.check(file);
      if (!stored.metadata().equals(message.snapshot().metadata())) {
        throw new IOException("the file holds the snapshot " + stored.metadata() + ", the message names "
            + message.snapshot().metadata());
      }
      synchronized (this) {
        if (state != State.CHECKING) {
          throw new IOException("snapshot " + file + ": aborted while it was checked");
        }
        state = State.HANDED_OVER;
      }
      return stored;
    } catch (IOException | RuntimeException e) {
      delete();
      throw e;
    }
  }

  /** The stream broke or the member stops: the file is deleted unless it was already handed over. */
  void abort() {
    synchronized (this) {
      if (state == State.HANDED_OVER || state == State.ABORTED) {
        return;
      }
      state = State.ABORTED;
    }
    delete();
  }

  private void delete() {
    try {
      channel.close();
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // the next start deletes every temporary file in the snapshot directory
    }
  }

  @Override
  public String toString() {
    return "snapshot at index " + message.snapshot().metadata().index() + " from member "
        + Long.toHexString(message.from()) + " (" + written + " of " + length + " bytes)";
  }
}
