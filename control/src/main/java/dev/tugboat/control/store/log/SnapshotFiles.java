package dev.tugboat.control.store.log;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CheckedOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A member's state machine snapshots, one file each, named {@code <index>-<term>.snap} (16 hex digits each):
 *
 * <pre>
 *   "TUGRSNP2"  index long  term long  voterCount int  voters long*  learnerCount int  learners long*
 *   data ...    dataLength long  crc32c int (of every byte before it)      (big endian)
 * </pre>
 *
 * The data is streamed straight from the state machine into the file (its length goes last for that reason). A
 * snapshot is written to a temporary file, fsynced, renamed into place and the directory fsynced, so a crash leaves
 * either the whole new file or none. The newest file that reads back whole is the member's snapshot; the two newest
 * are kept in case the newest turns out damaged.
 */
public final class SnapshotFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
  private static final byte[] MAGIC = "TUGRSNP2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final String SUFFIX = ".snap";
  /** A file being written, or received and not yet installed. */
  public static final String TEMPORARY_SUFFIX = ".tmp";
  private static final int KEEP = 2;
  private static final int TRAILER_LENGTH = 8 + 4;
  /**
   * A snapshot file is forced to disk every this many bytes while it is written. With a million keys a snapshot is
   * ~270 MB: left to the final fsync, all of it was dirty at once, and the member's log fsyncs (ext4 commits its
   * journal for them, which waits for the data of every file whose blocks that commit allocates) took 80-234 ms
   * while it was flushed, right where etcdctl check perf ends and the sequential puts begin (2026-11-28). Forcing
   * 8 MiB at a time keeps what a log fsync can wait behind to a few milliseconds of disk.
   */
  public static final long WRITEBACK_BYTES = 8 << 20;

  /** Writes a snapshot's data. */
  public interface DataWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  private final Path directory;

  public SnapshotFiles(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot directory " + directory + ": create", e);
    }
    deleteTemporaryFiles();
  }

  /** The directory the snapshot files are kept in; a snapshot received from the leader is written here first. */
  public Path directory() {
    return directory;
  }

  /**
   * A file of ours being written or received when the member stopped is of no use: nobody finishes it, and the leader
   * sends its snapshot again.
   */
  private void deleteTemporaryFiles() {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith(TEMPORARY_SUFFIX)).toList()) {
        Files.deleteIfExists(f);
        LOG.info("snapshot {}: deleted (left half-written or unused by an earlier run)", f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot directory " + directory + ": delete temporary files", e);
    }
  }

  /**
   * Renames a checked file (one received from the leader, still under a temporary name) into its place as the newest
   * snapshot, durably, and deletes all but the newest files; returns it at its new place.
   */
  public Stored adopt(Stored received) {
    Path target = fileOf(received.metadata());
    try {
      Files.move(received.file(), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot " + target + ": rename " + received.file() + " into place", e);
    }
    deleteAllButNewest();
    return new Stored(target, received.metadata(), received.dataOffset(), received.dataLength());
  }

  public void save(Snapshot snapshot) {
    save(snapshot.metadata(), out -> out.write(snapshot.data()));
  }

  /** Writes a snapshot durably, its data streamed by {@code data}, and deletes all but the newest files. */
  public Path save(SnapshotMetadata meta, DataWriter data) {
    Path target = directory.resolve(name(meta.index(), meta.term()));
    Path temp = directory.resolve(target.getFileName() + TEMPORARY_SUFFIX);
    CRC32C crc = new CRC32C();
    try (FileOutputStream file = new FileOutputStream(temp.toFile());
         CountingOutputStream counted = new CountingOutputStream(new CheckedOutputStream(file, crc),
             file.getChannel());
         DataOutputStream out = new DataOutputStream(new BufferedOutputStream(counted, 1 << 16))) {
      out.write(MAGIC);
      out.writeLong(meta.index());
      out.writeLong(meta.term());
      writeLongs(out, meta.confState().voters());
      writeLongs(out, meta.confState().learners());
      out.flush();
      long dataStart = counted.count;
      data.writeTo(out);
      out.flush();
      out.writeLong(counted.count - dataStart);
      out.flush();
      file.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
      file.getFD().sync();
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot " + temp + ": write", e);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot " + target + ": rename into place", e);
    }
    deleteAllButNewest();
    return target;
  }

  private void deleteAllButNewest() {
    List<Path> files = list();
    for (int i = 0; i < files.size() - KEEP; i++) {
      try {
        Files.deleteIfExists(files.get(i));
      } catch (IOException e) {
        LOG.warn("snapshot {}: delete old file: {}", files.get(i), e.toString());
      }
    }
  }

  /** Where the snapshot with {@code meta} is (or would be) kept. */
  public Path fileOf(SnapshotMetadata meta) {
    return directory.resolve(name(meta.index(), meta.term()));
  }

  /** A snapshot file checked whole: its metadata, and where in it the data lies. */
  public record Stored(Path file, SnapshotMetadata metadata, long dataOffset, long dataLength) {
    /** The data, streamed from the file: a member restarts from a state larger than its heap. */
    public InputStream openData() throws IOException {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      channel.position(dataOffset);
      InputStream whole = Channels.newInputStream(channel);
      return new BufferedInputStream(new FilterInputStream(whole) {
        private long left = dataLength;

        @Override
        public int read() throws IOException {
          if (left == 0) {
            return -1;
          }
          int b = super.read();
          if (b >= 0) {
            left--;
          }
          return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (left == 0) {
            return -1;
          }
          int n = super.read(b, off, (int) Math.min(len, left));
          if (n > 0) {
            left -= n;
          }
          return n;
        }

        @Override
        public long skip(long n) throws IOException {
          long skipped = super.skip(Math.min(n, left));
          left -= skipped;
          return skipped;
        }
      }, 1 << 16);
    }
  }

  /** The newest snapshot whose file checks whole, or null if there is none. */
  public Stored newest() {
    List<Path> files = list();
    for (int i = files.size() - 1; i >= 0; i--) {
      try {
        return check(files.get(i));
      } catch (IOException | RuntimeException e) {
        LOG.warn("snapshot {}: unreadable, trying an older one: {}", files.get(i), e.getMessage());
      }
    }
    return null;
  }

  /**
   * Checks a snapshot file (magic, checksum, data length) reading it in pieces, and returns its metadata: a
   * million keys make a ~300 MB file, which read whole took more heap than a member has.
   */
  public static Stored check(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < MAGIC.length + 16 + 8 + TRAILER_LENGTH) {
        throw new IOException("too short for a snapshot (" + size + " bytes)");
      }
      CRC32C crc = new CRC32C();
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
      for (long at = 0; at < size - 4; ) {
        chunk.clear().limit((int) Math.min(chunk.capacity(), size - 4 - at));
        int n = channel.read(chunk, at);
        if (n < 0) {
          throw new IOException("ends at " + at + " of " + size + " bytes");
        }
        crc.update(chunk.flip());
        at += n;
      }
      ByteBuffer trailer = ByteBuffer.allocate(TRAILER_LENGTH);
      readFully(channel, trailer, size - TRAILER_LENGTH);
      if (trailer.getInt(8) != (int) crc.getValue()) {
        throw new IOException("checksum mismatch");
      }
      // the header is small: members are bounded by what fits before the trailer
      ByteBuffer head = ByteBuffer.allocate((int) Math.min(size - TRAILER_LENGTH, 1 << 20));
      readFully(channel, head, 0);
      head.flip();
      byte[] magic = new byte[MAGIC.length];
      head.get(magic);
      if (!java.util.Arrays.equals(magic, MAGIC)) {
        throw new IOException("not a snapshot file (bad magic)");
      }
      long index = head.getLong();
      long term = head.getLong();
      List<Long> voters = longs(head);
      List<Long> learners = longs(head);
      long dataLength = trailer.getLong(0);
      if (dataLength != size - TRAILER_LENGTH - head.position()) {
        throw new IOException("data length " + dataLength + " does not match the file size " + size);
      }
      return new Stored(file, new SnapshotMetadata(index, term, new ConfState(voters, learners)), head.position(),
          dataLength);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IOException("header runs past the file", e);
    }
  }

  /** Reads and checks a whole snapshot file, its data into memory. */
  public static Snapshot read(Path file) throws IOException {
    Stored stored = check(file);
    if (stored.dataLength() > Integer.MAX_VALUE - 16) {
      throw new IOException("data of " + stored.dataLength() + " bytes is too large to hold in memory");
    }
    byte[] data = new byte[(int) stored.dataLength()];
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      readFully(channel, ByteBuffer.wrap(data), stored.dataOffset());
    }
    return new Snapshot(stored.metadata(), data);
  }

  private static void readFully(FileChannel channel, ByteBuffer into, long at) throws IOException {
    while (into.hasRemaining()) {
      int n = channel.read(into, at);
      if (n < 0) {
        throw new IOException("ends at " + at + " bytes");
      }
      at += n;
    }
  }

  private static List<Long> longs(ByteBuffer in) throws IOException {
    int n = in.getInt();
    if (n < 0 || n > in.remaining() / 8) {
      throw new IOException("member count " + n + " runs past the file");
    }
    List<Long> values = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(in.getLong());
    }
    return values;
  }

  private List<Path> list() {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot directory " + directory + ": list", e);
    }
  }

  private static String name(long index, long term) {
    return String.format("%016x-%016x%s", index, term, SUFFIX);
  }

  private static void writeLongs(DataOutputStream out, List<Long> values) throws IOException {
    out.writeInt(values.size());
    for (long v : values) {
      out.writeLong(v);
    }
  }

  /**
   * Counts the bytes that reach the file, to record the data length, and forces the file to disk every {@link
   * #WRITEBACK_BYTES} of them so that never much of it is dirty at once.
   */
  private static final class CountingOutputStream extends FilterOutputStream {
    private final FileChannel channel;
    long count;
    private long forcedAt;

    CountingOutputStream(OutputStream out, FileChannel channel) {
      super(out);
      this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
      maybeForce();
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
      maybeForce();
    }

    private void maybeForce() throws IOException {
      if (count - forcedAt >= WRITEBACK_BYTES) {
        channel.force(false);
        forcedAt = count;
      }
    }
  }

  private void fsyncDirectory() throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
