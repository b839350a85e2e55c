package dev.tugboat.control.store.replication;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * Which cluster and member a data directory belongs to, kept in {@code <data-dir>/member/identity} from the first
 * start on, so that a member pointed at another cluster's data directory refuses to start instead of mixing logs.
 */
public record MemberIdentity(long clusterId, long memberId, String name) {
  private static final String FILE = "identity";

  /** The identity recorded in {@code memberDir}, or null if there is none yet. */
  public static MemberIdentity read(Path memberDir) {
    Path file = memberDir.resolve(FILE);
    if (!Files.exists(file)) {
      return null;
    }
    Properties stored = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      stored.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("data dir " + memberDir.getParent() + ": member identity: " + e.getMessage(), e);
    }
    return new MemberIdentity(Long.parseUnsignedLong(stored.getProperty("cluster-id", "0"), 16),
        Long.parseUnsignedLong(stored.getProperty("member-id", "0"), 16), stored.getProperty("name", "?"));
  }

  /**
   * Checks {@code memberDir} against this identity, recording it if the directory is new.
   *
   * @throws IllegalStateException if the directory belongs to another cluster or member
   */
  public void claim(Path memberDir) {
    Path file = memberDir.resolve(FILE);
    try {
      Files.createDirectories(memberDir);
      if (Files.exists(file)) {
        Properties stored = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          stored.load(in);
        }
        long storedCluster = Long.parseUnsignedLong(stored.getProperty("cluster-id", "0"), 16);
        long storedMember = Long.parseUnsignedLong(stored.getProperty("member-id", "0"), 16);
        if (storedCluster != clusterId || storedMember != memberId) {
          throw new IllegalStateException("data dir " + memberDir.getParent() + ": belongs to cluster "
              + Long.toHexString(storedCluster) + " as member " + Long.toHexString(storedMember) + " ("
              + stored.getProperty("name", "?") + "), not to cluster " + Long.toHexString(clusterId) + " as member "
              + Long.toHexString(memberId) + " (" + name + ") that --initial-cluster, --initial-cluster-token and "
              + "--name describe; give this member an empty --data-dir, or the flags it was created with");
        }
        return;
      }
      Path temp = memberDir.resolve(FILE + ".tmp");
      Properties props = new Properties();
      props.setProperty("cluster-id", Long.toHexString(clusterId));
      props.setProperty("member-id", Long.toHexString(memberId));
      props.setProperty("name", name);
      try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
        props.store(out, "Tugboat store member; do not edit");
      }
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel dir = FileChannel.open(memberDir, StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("data dir " + memberDir.getParent() + ": member identity: " + e.getMessage(), e);
    }
  }
}
