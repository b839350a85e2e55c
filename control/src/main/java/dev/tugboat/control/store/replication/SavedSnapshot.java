package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.log.LogStorage;
import dev.tugboat.control.store.log.SnapshotFiles;
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
 * The file {@code etcdctl snapshot save} gets from a member: what a cluster is restored from. Like etcd's, it holds
 * the member list and the consistent index (the last applied Raft index) besides the keys:
 *
 * <pre>
 *   "TUGSAVE1"  index long  term long  memberListLength int  memberList  state...   (big endian)
 *   zero padding, then the length of everything before the padding as a long, ending on a 512-byte page boundary
 *   SHA-256 of every byte before it
 * </pre>
 *
 * The pages, the length and the SHA-256 are added by the etcd API as it sends the file (etcdctl checks that shape,
 * which a bolt database has). Restoring ({@link #restore})
 * makes a new member's data dir as {@code etcdctl snapshot restore} does: the keys and the consistent index come from
 * the file, the member list and cluster id from the flags of the new cluster.
 */
public final class SavedSnapshot {
  private static final byte[] MAGIC = "TUGSAVE1".getBytes(StandardCharsets.US_ASCII);
  static final int PAGE = 512;
  private static final int SHA256_LENGTH = 32;

  /**
   * What a saved snapshot holds: Raft's position when it was taken, the members then, and where in {@code file} the
   * store's state is (it is copied from there, never held whole in memory).
   */
  public record Contents(long index, long term, MemberList members, Path file, long stateOffset, long stateLength) {

    /** Copies the store's state to {@code out}. */
    public void writeState(OutputStream out) throws IOException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        java.nio.channels.WritableByteChannel target = java.nio.channels.Channels.newChannel(out);
        long done = 0;
        while (done < stateLength) {
          done += channel.transferTo(stateOffset + done, stateLength - done, target);
        }
      }
    }
  }

  private SavedSnapshot() {}

  /**
   * Writes the content of a saved snapshot of the state {@code state} writes, taken at {@code index} and
   * {@code term}; the etcd API frames it in pages and a SHA-256 as it sends it.
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
      return new Contents(index, term, MemberList.decode(members), file, stateOffset, stateLength);
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
    SnapshotMetadata meta = new SnapshotMetadata(contents.index(), 1,
        new ConfState(new ArrayList<>(members.keySet()), List.of()));
    new MemberIdentity(config.clusterId(), config.memberId(), config.name()).claim(memberDir);
    try (LogStorage storage = LogStorage.open(memberDir, ConfState.EMPTY)) {
      storage.saveSnapshot(meta, RaftNode.withMembers(restored, contents::writeState));
    } catch (RuntimeException e) {
      throw new IllegalStateException("data dir " + config.dataDir() + ": restore: " + e.getMessage(), e);
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
