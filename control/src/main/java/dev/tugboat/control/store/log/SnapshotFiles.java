package dev.tugboat.control.store.log;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
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
 *   "TUGRSNP1"  index long  term long  voterCount int  voters long*  learnerCount int  learners long*
 *   dataLength long  data  crc32c int (of every byte before it)      (big endian)
 * </pre>
 *
 * A snapshot is written to a temporary file, fsynced, renamed into place and the directory fsynced, so a crash
 * leaves either the whole new file or none. The newest file that reads back whole is the member's snapshot; the two
 * newest are kept in case the newest turns out damaged.
 */
public final class SnapshotFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotFiles.class);
  private static final byte[] MAGIC = "TUGRSNP1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final String SUFFIX = ".snap";
  private static final int KEEP = 2;

  private final Path directory;

  public SnapshotFiles(Path directory) {
    this.directory = directory;
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot directory " + directory + ": create", e);
    }
  }

  /** Writes {@code snapshot} durably and deletes all but the newest files. */
  public void save(Snapshot snapshot) {
    SnapshotMetadata meta = snapshot.metadata();
    ConfState conf = meta.confState();
    int headerLength = MAGIC.length + 16 + 4 + 8 * conf.voters().size() + 4 + 8 * conf.learners().size() + 8;
    ByteBuffer header = ByteBuffer.allocate(headerLength);
    header.put(MAGIC).putLong(meta.index()).putLong(meta.term());
    header.putInt(conf.voters().size());
    conf.voters().forEach(header::putLong);
    header.putInt(conf.learners().size());
    conf.learners().forEach(header::putLong);
    header.putLong(snapshot.data().length).flip();
    CRC32C crc = new CRC32C();
    crc.update(header.duplicate());
    crc.update(snapshot.data());
    ByteBuffer trailer = ByteBuffer.allocate(4).putInt((int) crc.getValue()).flip();

    Path target = directory.resolve(name(meta.index(), meta.term()));
    Path temp = directory.resolve(target.getFileName() + ".tmp");
    try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      writeFully(out, header);
      writeFully(out, ByteBuffer.wrap(snapshot.data()));
      writeFully(out, trailer);
      out.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot " + temp + ": write", e);
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory();
    } catch (IOException e) {
      throw new UncheckedIOException("snapshot " + target + ": rename into place", e);
    }
    List<Path> files = list();
    for (int i = 0; i < files.size() - KEEP; i++) {
      try {
        Files.deleteIfExists(files.get(i));
      } catch (IOException e) {
        LOG.warn("snapshot {}: delete old file: {}", files.get(i), e.toString());
      }
    }
  }

  /** The newest snapshot that reads back whole, or null if there is none. */
  public Snapshot loadNewest() {
    List<Path> files = list();
    for (int i = files.size() - 1; i >= 0; i--) {
      try {
        return read(files.get(i));
      } catch (IOException | RuntimeException e) {
        LOG.warn("snapshot {}: unreadable, trying an older one: {}", files.get(i), e.getMessage());
      }
    }
    return null;
  }

  static Snapshot read(Path file) throws IOException {
    ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
    byte[] magic = new byte[MAGIC.length];
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new IOException("not a snapshot file (bad magic)");
    }
    long index = in.getLong();
    long term = in.getLong();
    List<Long> voters = longs(in);
    List<Long> learners = longs(in);
    long dataLength = in.getLong();
    if (dataLength < 0 || dataLength != in.remaining() - 4) {
      throw new IOException("data length " + dataLength + " does not match the file size " + in.capacity());
    }
    byte[] data = new byte[(int) dataLength];
    in.get(data);
    CRC32C crc = new CRC32C();
    crc.update(in.array(), 0, in.position());
    if (in.getInt() != (int) crc.getValue()) {
      throw new IOException("checksum mismatch");
    }
    return new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, learners)), data);
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

  private static void writeFully(FileChannel out, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      out.write(buffer);
    }
  }

  private void fsyncDirectory() throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
