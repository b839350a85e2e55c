package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.bbolt.BoltFormatException;
import dev.tugboat.control.store.bbolt.BoltReader;
import dev.tugboat.control.store.bbolt.BoltWriter;
import dev.tugboat.control.store.etcd.api.KeyValue;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.RequestOp;
import dev.tugboat.control.store.etcd.api.StoreCommand;
import dev.tugboat.control.store.etcd.api.TxnRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EtcdBackend}: the store as etcd 3.4's backend, and back, losing nothing. */
class EtcdBackendTest {
  @TempDir
  Path dir;

  private static final List<EtcdBackend.Member> MEMBERS = List.of(
      new EtcdBackend.Member(0x8e9e05c52164694dL, "m1", List.of("http://127.0.0.1:2380"),
          List.of("http://127.0.0.1:2379"), false),
      new EtcdBackend.Member(0xfe9e05c52164694dL, "learner", List.of("http://127.0.0.1:2480"), List.of(), true));

  private static byte[] txnOfTwoPuts(String k1, String k2) {
    return StoreCommand.newBuilder().setTxn(TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k1))
            .setValue(ByteString.copyFromUtf8("t1"))))
        .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(k2))
            .setValue(ByteString.copyFromUtf8("t2"))))).build().toByteArray();
  }

  private Path write(byte[] tugState, long consistentIndex) throws IOException {
    Path file = dir.resolve("backend-" + System.nanoTime() + ".db");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      long size = EtcdBackend.write(new ByteArrayInputStream(tugState), consistentIndex, MEMBERS, out);
      assertThat(size).isEqualTo(Files.size(file));
    }
    return file;
  }

  private static EtcdBackend.Contents read(Path file) throws IOException {
    try (FileChannel in = FileChannel.open(file)) {
      return EtcdBackend.read(BoltReader.open(in, Files.size(file)));
    }
  }

  private static byte[] tugState(EtcdBackend.Contents contents) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    contents.state().writeTo(out);
    return out.toByteArray();
  }

  @Test
  void aStoreGoesToEtcdsBackendAndBackUnchanged() throws IOException {
    for (long seed : new long[] {1, 2, 3}) {
      StoreStateMachine original = new StoreStateMachine(Runnable::run);
      List<byte[]> commands = new ArrayList<>(StoreStateMachineTest.randomCommands(seed, 3000));
      commands.add(500, txnOfTwoPuts("txn/b", "txn/a")); // one revision, two sub-revisions
      for (int i = 0; i < commands.size(); i++) {
        original.apply(i + 1, commands.get(i));
      }
      byte[] before = StoreStateMachineTest.snapshot(original);
      EtcdBackend.Contents contents = read(write(before, -1));
      assertThat(contents.consistentIndex()).isEqualTo(commands.size());
      assertThat(contents.revision()).isEqualTo(original.revision());
      assertThat(contents.compactRevision()).isEqualTo(original.compactRevision()).isPositive();
      assertThat(contents.leases()).isEqualTo(original.leases().size()).isPositive();
      assertThat(contents.members()).isEqualTo(MEMBERS);
      assertThat(tugState(contents)).as("seed %d", seed).isEqualTo(before);
    }
  }

  @Test
  void theBucketsHoldWhatEtcd34Writes() throws IOException {
    StoreStateMachine sm = new StoreStateMachine(Runnable::run);
    sm.apply(1, StoreStateMachineTest.grant(7, 60));
    sm.apply(2, StoreStateMachineTest.put("a", "1", 7)); // revision 2
    sm.apply(3, txnOfTwoPuts("c", "b")); // revision 3: c is 3_0, b is 3_1
    sm.apply(4, StoreStateMachineTest.delete("a")); // revision 4, a deletion
    sm.apply(5, StoreStateMachineTest.put("b", "2", 0)); // revision 5
    sm.apply(6, StoreStateMachineTest.compact(3));
    Path file = write(StoreStateMachineTest.snapshot(sm), 99);
    try (FileChannel in = FileChannel.open(file)) {
      BoltReader db = BoltReader.open(in, Files.size(file));
      assertThat(db.bucketNames()).extracting(StoreTesting::s).containsExactly("alarm", "auth", "authRoles",
          "authUsers", "cluster", "key", "lease", "members", "members_removed", "meta");
      Map<String, List<byte[][]>> buckets = new java.util.HashMap<>();
      for (byte[] name : db.bucketNames()) {
        List<byte[][]> kvs = new ArrayList<>();
        db.forEach(name, (k, v) -> kvs.add(new byte[][] {k, v}));
        buckets.put(s(name), kvs);
      }
      for (String empty : List.of("alarm", "auth", "authRoles", "authUsers", "members_removed")) {
        assertThat(buckets.get(empty)).as(empty).isEmpty();
      }
      assertThat(buckets.get("cluster")).hasSize(1);
      assertThat(s(buckets.get("cluster").get(0)[0])).isEqualTo("clusterVersion");
      assertThat(s(buckets.get("cluster").get(0)[1])).isEqualTo("3.4.0");

      List<byte[][]> keys = buckets.get("key");
      assertThat(keys).extracting(kv -> revision(kv[0])).containsExactly("2_0", "3_0", "3_1", "4_0t", "5_0");
      assertThat(KeyValue.parseFrom(keys.get(0)[1])).isEqualTo(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(
          "a")).setValue(ByteString.copyFromUtf8("1")).setCreateRevision(2).setModRevision(2).setVersion(1)
          .setLease(7).build());
      assertThat(KeyValue.parseFrom(keys.get(2)[1]).getKey().toStringUtf8()).isEqualTo("b");
      assertThat(KeyValue.parseFrom(keys.get(3)[1])).as("a deletion holds only the key")
          .isEqualTo(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a")).build());
      assertThat(KeyValue.parseFrom(keys.get(4)[1])).isEqualTo(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8(
          "b")).setValue(ByteString.copyFromUtf8("2")).setCreateRevision(3).setModRevision(5).setVersion(2).build());

      assertThat(buckets.get("lease")).hasSize(1);
      assertThat(buckets.get("lease").get(0)[0]).isEqualTo(ByteBuffer.allocate(8).putLong(7).array());
      // leasepb.Lease{ID: 7, TTL: 60} as Go's protobuf marshals it
      assertThat(buckets.get("lease").get(0)[1]).isEqualTo(new byte[] {0x08, 7, 0x10, 60});

      List<byte[][]> meta = buckets.get("meta");
      assertThat(meta).extracting(kv -> s(kv[0])).containsExactly("consistent_index", "finishedCompactRev",
          "scheduledCompactRev");
      assertThat(meta.get(0)[1]).isEqualTo(ByteBuffer.allocate(8).putLong(99).array());
      assertThat(revision(meta.get(1)[1])).isEqualTo("3_0");
      assertThat(revision(meta.get(2)[1])).isEqualTo("3_0");

      List<byte[][]> members = buckets.get("members");
      assertThat(members).extracting(kv -> s(kv[0])).containsExactly("8e9e05c52164694d", "fe9e05c52164694d");
      assertThat(s(members.get(0)[1])).isEqualTo("{\"id\":" + Long.toUnsignedString(0x8e9e05c52164694dL)
          + ",\"peerURLs\":[\"http://127.0.0.1:2380\"],\"name\":\"m1\",\"clientURLs\":[\"http://127.0.0.1:2379\"]}");
      assertThat(s(members.get(1)[1])).isEqualTo("{\"id\":" + Long.toUnsignedString(0xfe9e05c52164694dL)
          + ",\"peerURLs\":[\"http://127.0.0.1:2480\"],\"isLearner\":true,\"name\":\"learner\"}");
    }
  }

  private static String revision(byte[] k) {
    ByteBuffer b = ByteBuffer.wrap(k);
    assertThat(k[8]).isEqualTo((byte) '_');
    return b.getLong(0) + "_" + b.getLong(9) + (k.length == 18 ? (char) k[17] : "");
  }

  @Test
  void whatIsNotEtcdsIsRefusedSayingWhat() throws IOException {
    assertRefused(Map.of("other", List.of()), "no meta bucket");
    assertRefused(Map.of("meta", List.of()), "no key bucket");
    assertRefused(Map.of("key", List.<byte[][]>of(new byte[][] {b("not-a-revision"), b("x")}), "meta", List.of()),
        "is not a revision");
    byte[] rev = EtcdBackend.revisionKey(2, 0, false);
    assertRefused(Map.of("key", List.<byte[][]>of(new byte[][] {rev, new byte[] {0x0a, 0x7f}}),
        "meta", List.of()), "not an mvccpb.KeyValue");
    assertRefused(Map.of("key", List.of(), "meta", List.<byte[][]>of(new byte[][] {b("consistent_index"), b("1")})),
        "consistent_index is 1 bytes");
    assertRefused(Map.of("key", List.of(), "meta", List.of(), "lease", List.<byte[][]>of(new byte[][] {b("12345678"),
        new byte[] {(byte) 0xff}})), "not a leasepb.Lease");
    assertRefused(Map.of("key", List.of(), "meta", List.of(), "members",
        List.<byte[][]>of(new byte[][] {b("zz"), b("{}")})), "bucket members: zz");
  }

  private void assertRefused(Map<String, List<byte[][]>> buckets, String message) throws IOException {
    Path file = dir.resolve("refused-" + System.nanoTime() + ".db");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      BoltWriter w = new BoltWriter(out, 4096);
      for (String name : new java.util.TreeMap<>(buckets).keySet()) {
        w.beginBucket(b(name));
        for (byte[][] kv : buckets.get(name)) {
          w.put(kv[0], kv[1]);
        }
      }
      w.finish();
    }
    assertThatThrownBy(() -> read(file)).isInstanceOf(BoltFormatException.class).hasMessageContaining(message);
  }
}
