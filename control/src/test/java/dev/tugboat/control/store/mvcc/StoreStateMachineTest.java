package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.api.CompactionRequest;
import dev.tugboat.control.store.etcd.api.DeleteRangeRequest;
import dev.tugboat.control.store.etcd.api.LeaseGrantRequest;
import dev.tugboat.control.store.etcd.api.LeaseRevokeRequest;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.StoreCommand;
import com.google.protobuf.ByteString;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoreStateMachineTest {

  private static StoreStateMachine newStateMachine() {
    return new StoreStateMachine(Runnable::run);
  }

  static byte[] put(String key, String value, long lease) {
    return StoreCommand.newBuilder().setPut(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
        .setValue(ByteString.copyFromUtf8(value)).setLease(lease)).build().toByteArray();
  }

  static byte[] delete(String key) {
    return StoreCommand.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8(key))).build().toByteArray();
  }

  static byte[] grant(long id, long ttl) {
    return StoreCommand.newBuilder().setLeaseGrant(LeaseGrantRequest.newBuilder().setID(id).setTTL(ttl))
        .build().toByteArray();
  }

  private static byte[] revoke(long id) {
    return StoreCommand.newBuilder().setLeaseRevoke(LeaseRevokeRequest.newBuilder().setID(id)).build().toByteArray();
  }

  static byte[] compact(long revision) {
    return StoreCommand.newBuilder().setCompaction(CompactionRequest.newBuilder().setRevision(revision))
        .build().toByteArray();
  }

  /** A seeded random mix of every command, including ones that fail. */
  static List<byte[]> randomCommands(long seed, int n) {
    Random random = new Random(seed);
    List<byte[]> commands = new ArrayList<>();
    int revisionGuess = 1;
    for (int i = 0; i < n; i++) {
      String key = "k" + random.nextInt(50);
      switch (random.nextInt(10)) {
        case 0 -> commands.add(delete(key));
        case 1 -> commands.add(grant(1 + random.nextInt(5), 10));
        case 2 -> commands.add(revoke(1 + random.nextInt(5)));
        case 3 -> commands.add(compact(Math.max(1, revisionGuess - random.nextInt(20))));
        default -> commands.add(put(key, "v" + i, random.nextInt(3) == 0 ? 1 + random.nextInt(5) : 0));
      }
      revisionGuess++;
    }
    return commands;
  }

  static byte[] snapshot(StoreStateMachine sm) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    sm.writeSnapshot(out);
    return out.toByteArray();
  }

  @Test
  void theSameCommandsInTheSameOrderGiveTheSameStateAndResults() throws IOException {
    List<byte[]> commands = randomCommands(7, 2000);
    StoreStateMachine first = newStateMachine();
    StoreStateMachine second = newStateMachine();
    for (int i = 0; i < commands.size(); i++) {
      Object a = first.apply(i + 1, commands.get(i));
      Object b = second.apply(i + 1, commands.get(i));
      assertThat(describe(a)).isEqualTo(describe(b));
    }
    assertThat(first.revision()).isGreaterThan(100);
    assertThat(first.hash(0)).isEqualTo(second.hash(0));
    assertThat(snapshot(first)).isEqualTo(snapshot(second));
  }

  private static String describe(Object result) {
    if (result instanceof StoreException e) {
      return e.code() + ": " + e.getMessage();
    }
    if (result instanceof PutResponse p) {
      return "put@" + p.revision();
    }
    return String.valueOf(result);
  }

  @Test
  void theLiveKeyCountFollowsPutsDeletesLeasesCompactionsAndRestoresAsACountWould() throws IOException {
    RangeRequest all = new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, true, true, true);
    for (long seed = 1; seed <= 20; seed++) {
      StoreStateMachine sm = newStateMachine();
      List<byte[]> commands = randomCommands(seed, 400);
      for (int i = 0; i < commands.size(); i++) {
        sm.apply(i + 1, commands.get(i));
        assertThat(sm.liveKeyCount()).as("seed %d, command %d", seed, i).isEqualTo(sm.range(all).count());
      }
      StoreStateMachine restored = newStateMachine();
      restored.restoreSnapshot(new ByteArrayInputStream(snapshot(sm)));
      assertThat(restored.liveKeyCount()).as("seed %d, restored", seed).isEqualTo(sm.range(all).count());
    }
  }

  @Test
  void aSnapshotRestoresHistoryLeasesAndTheAppliedIndex() throws IOException {
    StoreStateMachine original = newStateMachine();
    List<byte[]> commands = randomCommands(11, 500);
    for (int i = 0; i < commands.size(); i++) {
      original.apply(i + 1, commands.get(i));
    }
    byte[] snapshot = snapshot(original);
    StoreStateMachine restored = newStateMachine();
    restored.restoreSnapshot(new ByteArrayInputStream(snapshot));

    assertThat(restored.appliedIndex()).isEqualTo(500);
    assertThat(restored.revision()).isEqualTo(original.revision());
    assertThat(restored.compactRevision()).isEqualTo(original.compactRevision());
    assertThat(restored.hash(0)).isEqualTo(original.hash(0));
    assertThat(restored.leases()).isEqualTo(original.leases());
    for (LeaseGrant lease : original.leases()) {
      assertThat(restored.leaseInfo(lease.id(), true).keys()).extracting(StoreTesting::s)
          .isEqualTo(original.leaseInfo(lease.id(), true).keys().stream().map(StoreTesting::s).toList());
    }
    RangeRequest all = new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0,
        original.compactRevision() + 1, false, false, false);
    assertThat(restored.range(all)).usingRecursiveComparison().isEqualTo(original.range(all));

    // Both go on identically.
    List<byte[]> more = randomCommands(12, 200);
    for (int i = 0; i < more.size(); i++) {
      assertThat(describe(restored.apply(501 + i, more.get(i)))).isEqualTo(describe(original.apply(501 + i, more.get(i))));
    }
    assertThat(snapshot(restored)).isEqualTo(snapshot(original));
  }

  @Test
  void aCapturedSnapshotWrittenAfterMoreAppliesHoldsTheStateOfItsCapture() throws IOException {
    StoreStateMachine sm = newStateMachine();
    List<byte[]> commands = randomCommands(21, 600);
    for (int i = 0; i < 300; i++) {
      sm.apply(i + 1, commands.get(i));
    }
    byte[] atCapture = snapshot(sm);
    StoreStateMachine.SnapshotWriter captured = sm.captureSnapshot();
    for (int i = 300; i < commands.size(); i++) {
      sm.apply(i + 1, commands.get(i)); // puts, deletes, revokes and compactions after the capture
    }
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    captured.writeTo(written);

    assertThat(written.toByteArray()).isEqualTo(atCapture);
    assertThat(snapshot(sm)).isNotEqualTo(atCapture);
  }

  @Test
  void valuesAcrossAndLargerThanTheWritersBlockRestoreByteForByteAndADamagedLaterBlockIsRefused() throws IOException {
    StoreStateMachine original = newStateMachine();
    Random random = new Random(5);
    int index = 0;
    for (int i = 0; i < 40; i++) {
      byte[] value = new byte[1_000 + 3_001 * i]; // up to ~118 KB: many fields and values straddle 64 KiB blocks
      random.nextBytes(value);
      original.apply(++index, StoreCommand.newBuilder().setPut(PutRequest.newBuilder()
          .setKey(ByteString.copyFromUtf8("key-" + i)).setValue(ByteString.copyFrom(value))).build().toByteArray());
    }
    original.apply(++index, put("key-7", "a later, small value", 0)); // a history of two entries
    byte[] snapshot = snapshot(original);
    assertThat(snapshot.length).isGreaterThan(2_000_000);

    StoreStateMachine restored = newStateMachine();
    restored.restoreSnapshot(new ByteArrayInputStream(snapshot));
    assertThat(restored.hash(0)).isEqualTo(original.hash(0));
    RangeRequest all = new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false);
    assertThat(restored.range(all)).usingRecursiveComparison().isEqualTo(original.range(all));
    assertThat(snapshot(restored)).isEqualTo(snapshot);

    byte[] flipped = snapshot.clone();
    flipped[snapshot.length - 100_000] ^= 1; // inside a value, many blocks in
    assertThatThrownBy(() -> newStateMachine().restoreSnapshot(new ByteArrayInputStream(flipped)))
        .isInstanceOf(StoreException.class).hasMessageContaining("checksum mismatch");
  }

  @Test
  void aDamagedSnapshotIsRefusedAndChangesNothing() throws IOException {
    StoreStateMachine original = newStateMachine();
    original.apply(1, put("a", "1", 0));
    byte[] snapshot = snapshot(original);
    StoreStateMachine target = newStateMachine();
    target.apply(1, put("b", "2", 0));
    target.apply(2, put("b", "3", 0));

    byte[] flipped = snapshot.clone();
    flipped[40] ^= 1;
    assertThatThrownBy(() -> target.restoreSnapshot(new ByteArrayInputStream(flipped)))
        .isInstanceOf(StoreException.class).hasMessageContaining("store snapshot:");
    byte[] cut = java.util.Arrays.copyOf(snapshot, snapshot.length - 3);
    assertThatThrownBy(() -> target.restoreSnapshot(new ByteArrayInputStream(cut)))
        .isInstanceOf(StoreException.class).hasMessageContaining("ends early");
    assertThatThrownBy(() -> target.restoreSnapshot(new ByteArrayInputStream(b("not a snapshot at all"))))
        .isInstanceOf(StoreException.class).hasMessageContaining("does not start with TUGSNAP1");
    assertThat(target.revision()).isEqualTo(3);
    assertThat(s(target.range(RangeRequest.key(b("b"))).kvs().get(0).value())).isEqualTo("3");
  }

  @Test
  void anIndexAppliedAlreadyIsSkipped() {
    StoreStateMachine sm = newStateMachine();
    assertThat(sm.apply(1, put("a", "1", 0))).isInstanceOf(PutResponse.class);
    assertThat(sm.apply(1, put("a", "2", 0))).isNull();
    assertThat(sm.revision()).isEqualTo(2);
  }

  @Test
  void aCommandIsReadInPlaceBetweenOtherBytes() {
    byte[] command = put("a", "1", 0);
    byte[] entry = new byte[16 + command.length + 3]; // as a log entry: a header before, and bytes after to ignore
    java.util.Arrays.fill(entry, (byte) 0xff);
    System.arraycopy(command, 0, entry, 16, command.length);
    StoreStateMachine sm = newStateMachine();
    assertThat(sm.apply(1, entry, 16, command.length)).isInstanceOf(PutResponse.class);
    assertThat(sm.range(RangeRequest.key(b("a"))).kvs())
        .singleElement().satisfies(kv -> assertThat(s(kv.value())).isEqualTo("1"));
    assertThat(sm.apply(2, entry, 0, entry.length)).isInstanceOf(StoreException.class);
  }

  @Test
  void aCommandThatIsNotAStoreCommandFailsAsCorrupt() {
    StoreStateMachine sm = newStateMachine();
    Object result = sm.apply(1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
    assertThat(result).isInstanceOf(StoreException.class);
    assertThat(((StoreException) result).code()).isEqualTo(StoreException.Code.CORRUPT);
    assertThat(sm.appliedIndex()).isEqualTo(1);
  }

  @Test
  void revokingALeaseWithoutKeysKeepsTheRevision() {
    StoreStateMachine sm = newStateMachine();
    sm.apply(1, grant(5, 10));
    assertThat(sm.apply(2, revoke(5))).isEqualTo(1L);
    assertThat(sm.apply(3, revoke(5))).isInstanceOf(StoreException.class);
  }
}
