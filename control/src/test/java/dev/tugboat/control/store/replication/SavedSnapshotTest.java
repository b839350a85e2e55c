package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.etcd.Membership.Member;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.StoreCommand;
import dev.tugboat.control.store.mvcc.EtcdBackend;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SavedSnapshot#read}: etcd's backend, with or without its SHA-256, and Tugboat's files from before. */
class SavedSnapshotTest {
  @TempDir
  Path dir;

  private static final Member M1 = new Member(0x1234L, "m1", List.of("http://127.0.0.1:2380"),
      List.of("http://127.0.0.1:2379"), false);

  private static byte[] state() throws IOException {
    StoreStateMachine sm = new StoreStateMachine(Runnable::run);
    for (int i = 0; i < 50; i++) {
      sm.apply(i + 1, StoreCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(
          "k" + i % 20)).setValue(ByteString.copyFromUtf8("v" + i))).build().toByteArray());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.writeSnapshot(out);
    return out.toByteArray();
  }

  private static byte[] written(SavedSnapshot.Contents contents) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    contents.writeState(out);
    return out.toByteArray();
  }

  private static byte[] sha256(byte[] b, int length) throws Exception {
    MessageDigest d = MessageDigest.getInstance("SHA-256");
    d.update(b, 0, length);
    return d.digest();
  }

  /** A file as Tugboat's etcd API sent it before it wrote etcd's backend: content, padding, length, SHA-256. */
  @Test
  void tugboatsEarlierFilesAreStillRead() throws Exception {
    byte[] state = state();
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    MemberList members = new MemberList(new TreeMap<>(java.util.Map.of(M1.id(), M1)), new TreeSet<>());
    SavedSnapshot.write(50, 3, members, out -> out.write(state), content);
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(file);
    out.write(content.toByteArray());
    int length = content.size();
    out.write(new byte[(512 - (length + 8) % 512) % 512]);
    out.writeLong(length);
    out.write(sha256(file.toByteArray(), file.size()));
    Path saved = dir.resolve("old.db");
    Files.write(saved, file.toByteArray());

    SavedSnapshot.Contents read = SavedSnapshot.read(saved, false);
    assertThat(read.format()).isEqualTo(SavedSnapshot.TUGBOAT);
    assertThat(read.index()).isEqualTo(50);
    assertThat(read.term()).isEqualTo(3);
    assertThat(read.members().members()).containsExactly(M1);
    assertThat(written(read)).isEqualTo(state);
  }

  @Test
  void etcdsBackendIsReadWithItsHashCheckedAsAsked() throws Exception {
    byte[] state = state();
    Path db = dir.resolve("backend.db");
    try (FileChannel out = FileChannel.open(db, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      EtcdBackend.write(new ByteArrayInputStream(state), 77, List.of(new EtcdBackend.Member(M1.id(), M1.name(),
          M1.peerUrls(), M1.clientUrls(), false)), out);
    }
    byte[] bare = Files.readAllBytes(db);
    Path saved = dir.resolve("saved.db");
    byte[] withHash = Arrays.copyOf(bare, bare.length + 32);
    System.arraycopy(sha256(bare, bare.length), 0, withHash, bare.length, 32);
    Files.write(saved, withHash);

    SavedSnapshot.Contents read = SavedSnapshot.read(saved, false);
    assertThat(read.format()).isEqualTo(SavedSnapshot.ETCD_BACKEND);
    assertThat(read.index()).isEqualTo(77);
    assertThat(read.members().members()).containsExactly(M1);
    byte[] restored = written(read);
    assertThat(Arrays.copyOfRange(restored, 8, 16)).as("applied index").isEqualTo(new byte[] {0, 0, 0, 0, 0, 0, 0, 77});
    assertThat(Arrays.copyOfRange(restored, 16, restored.length - 4))
        .as("the same state but for the applied index, which is the consistent index, and so the checksum")
        .isEqualTo(Arrays.copyOfRange(state, 16, state.length - 4));

    Files.write(db, bare);
    assertThatThrownBy(() -> SavedSnapshot.read(db, false)).hasMessageContaining("snapshot file " + db)
        .hasMessageContaining("without the SHA-256").hasMessageContaining("--skip-hash-check");
    assertThat(SavedSnapshot.read(db, SavedSnapshot.HashCheck.IF_PRESENT).index()).isEqualTo(77);
    assertThat(SavedSnapshot.read(db, true).index()).isEqualTo(77);

    withHash[withHash.length - 1] ^= 1;
    Files.write(saved, withHash);
    for (SavedSnapshot.HashCheck check : List.of(SavedSnapshot.HashCheck.REQUIRE,
        SavedSnapshot.HashCheck.IF_PRESENT)) {
      assertThatThrownBy(() -> SavedSnapshot.read(saved, check)).as("%s", check)
          .hasMessageContaining("snapshot file " + saved).hasMessageContaining("SHA-256 mismatch");
    }
    assertThat(SavedSnapshot.read(saved, SavedSnapshot.HashCheck.SKIP).index()).isEqualTo(77);
  }
}
