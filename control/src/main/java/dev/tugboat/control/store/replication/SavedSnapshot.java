package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.bbolt.BoltFormatException;
import dev.tugboat.control.store.bbolt.BoltReader;
import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.log.LogStorage;
import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.mvcc.EtcdBackend;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A saved snapshot of the store: what a cluster is restored from. {@code etcdctl snapshot save} gets etcd 3.4's
 * backend from a member (a bbolt database, see {@link EtcdBackend}, then its SHA-256), written straight from the
 * state captured at one Raft index. Tugboat's own format before it, which {@link #write} still writes: Raft's
 * position, the member list and the store's state,
 *
 * <pre>
 *   "TUGSAVE1"  index long  term long  memberListLength int  memberList  state...   (big endian)
 * </pre>
 *
 * {@link #read} reads etcd's backend, whether etcd or Tugboat saved it, and the files Tugboat saved before it wrote
 * etcd's backend: the content above, zero padding, the content's length as a long ending on a 512-byte page
 * boundary, then the SHA-256 of every byte before it. Restoring ({@link #restore}) makes a new member's data dir as
 * {@code etcdctl snapshot restore} does: the keys, leases and consistent index come from the file, the member list
 * and cluster id from the flags of the new cluster.
 */
public final class SavedSnapshot {
  private static final byte[] MAGIC = "TUGSAVE1".getBytes(StandardCharsets.US_ASCII);
  static final int PAGE = 512;
  private static final int SHA256_LENGTH = 32;

  /**
   * What a saved snapshot holds: Raft's position when it was taken (for etcd's backend, its consistent index and
   * term 1), the members then, and the store's state, written out by {@link #writeState}. {@code format} names the
   * file's format for people; {@code etcdStatus} is what etcdctl snapshot status prints of an etcd backend (null
   * for Tugboat's own format).
   */
  public record Contents(String format, long index, long term, MemberList members,
                         StoreStateMachine.SnapshotWriter state, EtcdBackend.Status etcdStatus) {

    /** Copies the store's state to {@code out}, as a {@link StoreStateMachine} snapshot. */
    public void writeState(OutputStream out) throws IOException {
      state.writeTo(out);
    }
  }

  /** Formats {@link #read} names. */
  public static final String ETCD_BACKEND = "etcd backend (bbolt)";
  public static final String TUGBOAT = "Tugboat (TUGSAVE1)";

  private SavedSnapshot() {}

  /**
   * Writes the content of a saved snapshot in Tugboat's own format (TUGSAVE1) of the state {@code state} writes,
   * taken at {@code index} and {@code term}: what backups made before etcd's backend hold, framed in pages and a
   * SHA-256.
   */
  public static void write(long index, long term, MemberList members, SnapshotFiles.DataWriter state,
                           OutputStream target) throws IOException {
    DataOutputStream out = new DataOutputStream(target);
    out.write(MAGIC);
    out.writeLong(index);
    out.writeLong(term);
    byte[] encoded = members.encode();
    out.writeInt(encoded.length);
    out.write(encoded);
    out.flush();
    state.writeTo(target);
  }

  /**
   * Reads and checks a saved snapshot.
   *
   * @param skipHashCheck accept a file without a matching SHA-256 (etcdctl's --skip-hash-check)
   * @throws IOException naming {@code file} and what is wrong with it
   */
  public static Contents read(Path file, boolean skipHashCheck) throws IOException {
    return read(file, skipHashCheck ? HashCheck.SKIP : HashCheck.REQUIRE);
  }

  /** How {@link #read} treats the SHA-256 that etcd appends to a snapshot. */
  public enum HashCheck {
    /** The file must end with its SHA-256 (etcdctl snapshot restore). */
    REQUIRE,
    /** A SHA-256 is checked if there is one: a bare database, as in a data dir, is read too (etcdctl status). */
    IF_PRESENT,
    /** Not checked (--skip-hash-check). */
    SKIP
  }

  /**
   * Reads and checks a saved snapshot: etcd's backend (a bbolt database, as {@code etcdctl snapshot save} gets it
   * from etcd or Tugboat), or Tugboat's own format from before (TUGSAVE1).
   *
   * @throws IOException naming {@code file} and what is wrong with it
   */
  public static Contents read(Path file, HashCheck hashCheck) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("snapshot file " + file + ": " + (Files.exists(file) ? "not a regular file"
          : "no such file"));
    }
    long size = Files.size(file);
    byte[] start;
    try (InputStream in = Files.newInputStream(file)) {
      start = in.readNBytes(MAGIC.length);
    }
    if (Arrays.equals(start, MAGIC)) {
      return readTugboat(file, hashCheck == HashCheck.SKIP);
    }
    return readEtcdBackend(file, size, hashCheck);
  }

  private static Contents readEtcdBackend(Path file, long size, HashCheck hashCheck) throws IOException {
    boolean hasHash = size % PAGE == SHA256_LENGTH;
    long dbLength = hasHash ? size - SHA256_LENGTH : size;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      BoltReader db;
      try {
        db = BoltReader.open(channel, dbLength);
      } catch (BoltFormatException e) {
        throw new IOException("snapshot file " + file + ": " + (e.notBbolt() ? "not a store snapshot (neither a bbolt "
            + "database as etcd saves it nor Tugboat's " + new String(MAGIC, StandardCharsets.US_ASCII) + "): "
            : "a damaged bbolt database: ") + e.getMessage(), e);
      }
      if (hasHash && hashCheck != HashCheck.SKIP) {
        MessageDigest sha256 = sha256();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
        for (long at = 0; at < dbLength; ) {
          chunk.clear().limit((int) Math.min(chunk.capacity(), dbLength - at));
          int n = channel.read(chunk, at);
          if (n < 0) {
            throw new IOException("snapshot file " + file + ": ends early, at byte " + at);
          }
          sha256.update(chunk.flip());
          at += n;
        }
        ByteBuffer recorded = ByteBuffer.allocate(SHA256_LENGTH);
        channel.read(recorded, dbLength);
        if (!Arrays.equals(sha256.digest(), recorded.array())) {
          throw new IOException("snapshot file " + file + ": SHA-256 mismatch: the last 32 bytes are not the "
              + "SHA-256 of the database before them (damaged or not whole; --skip-hash-check reads it anyway)");
        }
      } else if (!hasHash && hashCheck == HashCheck.REQUIRE) {
        throw new IOException("snapshot file " + file + ": a bbolt database without the SHA-256 etcd appends to a "
            + "snapshot (" + size + " bytes; copied from a data dir?): --skip-hash-check reads it anyway");
      }
      EtcdBackend.Contents backend;
      try {
        backend = EtcdBackend.read(db);
      } catch (BoltFormatException e) {
        throw new IOException("snapshot file " + file + ": damaged etcd backend: " + e.getMessage(), e);
      }
      TreeMap<Long, Member> members = new TreeMap<>();
      for (EtcdBackend.Member m : backend.members()) {
        members.put(m.id(), new Member(m.id(), m.name(), m.peerUrls(), m.clientUrls(), m.learner()));
      }
      return new Contents(ETCD_BACKEND, backend.consistentIndex(), 1, new MemberList(members, new TreeSet<>()),
          backend.state(), backend.status());
    }
  }

  private static Contents readTugboat(Path file, boolean skipHashCheck) throws IOException {
    long size = Files.size(file);
    if (size < PAGE + SHA256_LENGTH || (size - SHA256_LENGTH) % PAGE != 0) {
      throw new IOException("snapshot file " + file + ": " + size + " bytes is not the size of a saved store "
          + "snapshot (whole 512-byte pages and a SHA-256)");
    }
    long contentLength;
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer tail = ByteBuffer.allocate(8);
      channel.read(tail, size - SHA256_LENGTH - 8);
      contentLength = tail.flip().getLong();
    }
    if (contentLength < MAGIC.length + 20 || contentLength > size - SHA256_LENGTH - 8) {
      throw new IOException("snapshot file " + file + ": not a saved store snapshot (content length "
          + contentLength + " of " + size + " bytes)");
    }
    MessageDigest sha256 = sha256();
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
         DigestInputStream digested = new DigestInputStream(raw, sha256);
         DataInputStream in = new DataInputStream(digested)) {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new IOException("snapshot file " + file + ": not a saved store snapshot (it does not start with "
            + new String(MAGIC, StandardCharsets.US_ASCII) + ")");
      }
      long index = in.readLong();
      long term = in.readLong();
      int membersLength = in.readInt();
      if (membersLength < 0 || membersLength > contentLength) {
        throw new IOException("snapshot file " + file + ": member list of " + membersLength + " bytes");
      }
      byte[] members = new byte[membersLength];
      in.readFully(members);
      long stateOffset = MAGIC.length + 20L + membersLength;
      long stateLength = contentLength - stateOffset;
      if (stateLength < 0) {
        throw new IOException("snapshot file " + file + ": member list of " + membersLength + " bytes runs past "
            + "the content");
      }
      byte[] skip = new byte[1 << 16];
      for (long left = size - SHA256_LENGTH - stateOffset; left > 0; ) {
        int n = in.read(skip, 0, (int) Math.min(skip.length, left));
        if (n < 0) {
          throw new EOFException();
        }
        left -= n;
      }
      byte[] expected = sha256.digest();
      byte[] recorded = new byte[SHA256_LENGTH];
      raw.readNBytes(recorded, 0, SHA256_LENGTH);
      if (!skipHashCheck && !Arrays.equals(expected, recorded)) {
        throw new IOException("snapshot file " + file + ": SHA-256 mismatch (damaged or not whole; "
            + "--skip-hash-check reads it anyway)");
      }
      long offset = stateOffset;
      return new Contents(TUGBOAT, index, term, MemberList.decode(members), out -> copy(file, offset, stateLength,
          out), null);
    } catch (EOFException e) {
      throw new IOException("snapshot file " + file + ": ends early", e);
    }
  }

  /**
   * Makes the data dir of one member of a new cluster from a saved snapshot, as {@code etcdctl snapshot restore}
   * does: {@code config} (the flags the member will start with, {@code --initial-cluster-state new}) gives the
   * members and the cluster id; the file gives the keys, leases and consistent index.
   *
   * @throws IllegalStateException if the data dir already holds a member (nothing is written then)
   */
  public static void restore(Contents contents, ReplicatedStoreConfig config) {
    Path memberDir = config.memberDir();
    if (Files.exists(memberDir)) {
      throw new IllegalStateException("data dir " + config.dataDir() + ": already holds a member (" + memberDir
          + " exists); restore into a new --data-dir");
    }
    TreeMap<Long, Member> members = new TreeMap<>();
    config.raftNodeConfig().initialMembers().forEach((id, m) ->
        members.put(id, new Member(id, m.name(), m.peerUrls(), List.of(), false)));
    MemberList restored = new MemberList(members, new TreeSet<>());
    // A new cluster: its terms start over, so the restored snapshot is of term 1 and every member's is the same.
    // at least 1: a snapshot at index 0 would be no snapshot to the log (an etcd backend may say 0)
    SnapshotMetadata meta = new SnapshotMetadata(Math.max(1, contents.index()), 1,
        new ConfState(new ArrayList<>(members.keySet()), List.of()));
    boolean newDataDir = !Files.exists(config.dataDir());
    try {
      new MemberIdentity(config.clusterId(), config.memberId(), config.name()).claim(memberDir);
      try (LogStorage storage = LogStorage.open(memberDir, ConfState.EMPTY)) {
        storage.saveSnapshot(meta, RaftNode.withMembers(restored, contents::writeState));
      }
    } catch (RuntimeException e) {
      // no half-made member: what was made goes, so that the same command can run again
      deleteTree(newDataDir ? config.dataDir() : memberDir);
      throw new IllegalStateException("data dir " + config.dataDir() + ": restore: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("restore failed, and removing " + root + " too", e);
    }
  }

  private static void copy(Path file, long offset, long length, OutputStream out) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      java.nio.channels.WritableByteChannel target = java.nio.channels.Channels.newChannel(out);
      long done = 0;
      while (done < length) {
        done += channel.transferTo(offset + done, length - done, target);
      }
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

}
