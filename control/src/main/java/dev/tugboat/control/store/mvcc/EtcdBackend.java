package dev.tugboat.control.store.mvcc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import dev.tugboat.control.store.bbolt.BoltFormatException;
import dev.tugboat.control.store.bbolt.BoltPages;
import dev.tugboat.control.store.bbolt.BoltReader;
import dev.tugboat.control.store.bbolt.BoltWriter;
import dev.tugboat.control.store.etcd.api.KeyValue;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The store as etcd 3.4 keeps it in its backend (mvcc/kvstore.go, lease/lessor.go, etcdserver/api/membership), the
 * bbolt database that {@code etcdctl snapshot save} gets and {@code etcdctl snapshot status/restore} read:
 *
 * <pre>
 *   key              revision (main u64 BE, '_', sub u64 BE, 't' if a deletion) -> mvccpb.KeyValue (a deletion's
 *                    holds only the key)
 *   lease            id (u64 BE) -> leasepb.Lease {ID = 1, TTL = 2}
 *   meta             consistent_index -> u64 BE; finishedCompactRev, scheduledCompactRev -> revision (once compacted)
 *   members          id in hex -> {"id":..,"peerURLs":[..],"name":..,"clientURLs":[..],"isLearner":..}
 *   members_removed  id in hex -> "removed"
 *   cluster          clusterVersion -> "3.4.0"
 *   alarm, auth, authRoles, authUsers   empty: no alarms, auth off
 * </pre>
 *
 * Tugboat's sub-revisions are etcd's (a change's place in its transaction), so revisions go across unchanged.
 */
public final class EtcdBackend {
  /** The cluster version the file claims: the etcd whose layout it is. */
  static final String CLUSTER_VERSION = "3.4.0";
  private static final byte[] KEY = bytes("key");
  private static final byte[] LEASE = bytes("lease");
  private static final byte[] META = bytes("meta");
  private static final byte[] MEMBERS = bytes("members");
  private static final byte[] MEMBERS_REMOVED = bytes("members_removed");
  private static final byte[] CONSISTENT_INDEX = bytes("consistent_index");
  private static final byte[] FINISHED_COMPACT = bytes("finishedCompactRev");
  private static final byte[] SCHEDULED_COMPACT = bytes("scheduledCompactRev");
  private static final int REVISION_BYTES = 17;
  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** A member as etcd's backend records it. */
  public record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {}

  /**
   * What a backend holds, with the keys and leases as a Tugboat state ({@link StateSnapshot}'s stream, which
   * {@link StoreStateMachine#restoreSnapshot} reads).
   */
  public record Contents(long consistentIndex, long revision, long compactRevision, int keys, int leases,
                         List<Member> members, StoreStateMachine.SnapshotWriter state, Status status) {}

  /**
   * What {@code etcdctl snapshot status} prints of a backend: the CRC-32C of every bucket's name, keys and values
   * in order, and how many keys all buckets hold.
   */
  public record Status(int hash, long totalKeys) {}

  private EtcdBackend() {}

  /**
   * Writes the Tugboat state in {@code tugState} (a {@link StoreStateMachine} snapshot) as etcd's backend.
   *
   * @param consistentIndex the Raft index the state is at, or -1 for the state's own applied index
   * @return the database's size in bytes
   */
  public static long write(InputStream tugState, long consistentIndex, List<Member> members, FileChannel out)
      throws IOException {
    return write(StateSnapshot.read(tugState), consistentIndex, members, out);
  }

  static long write(StateSnapshot state, long consistentIndex, List<Member> members, FileChannel out)
      throws IOException {
    BoltWriter db = new BoltWriter(out, BoltPages.DEFAULT_PAGE_SIZE);
    for (String empty : List.of("alarm", "auth", "authRoles", "authUsers")) {
      db.beginBucket(bytes(empty));
    }
    db.beginBucket(bytes("cluster"));
    db.put(bytes("clusterVersion"), bytes(CLUSTER_VERSION));
    db.beginBucket(KEY);
    writeKeys(state, db);
    db.beginBucket(LEASE);
    long[] ids = state.leaseIds().clone();
    long[] ttls = new long[ids.length];
    Integer[] byId = order(ids.length, (a, b) -> Long.compareUnsigned(state.leaseIds()[a], state.leaseIds()[b]));
    for (int i = 0; i < ids.length; i++) {
      ids[i] = state.leaseIds()[byId[i]];
      ttls[i] = state.leaseTtls()[byId[i]];
    }
    for (int i = 0; i < ids.length; i++) {
      db.put(ByteBuffer.allocate(8).putLong(ids[i]).array(), lease(ids[i], ttls[i]));
    }
    db.beginBucket(MEMBERS);
    List<Member> sorted = new ArrayList<>(members);
    sorted.sort((a, b) -> Arrays.compareUnsigned(memberKey(a.id()), memberKey(b.id())));
    for (Member m : sorted) {
      db.put(memberKey(m.id()), memberJson(m));
    }
    db.beginBucket(MEMBERS_REMOVED);
    db.beginBucket(META);
    db.put(CONSISTENT_INDEX, ByteBuffer.allocate(8).putLong(
        consistentIndex >= 0 ? consistentIndex : state.appliedIndex()).array());
    if (state.compactRevision() > 0) {
      db.put(FINISHED_COMPACT, revisionKey(state.compactRevision(), 0, false));
      db.put(SCHEDULED_COMPACT, revisionKey(state.compactRevision(), 0, false));
    }
    return db.finish();
  }

  /** Every entry of every key, in revision order as etcd's key bucket is. */
  private static void writeKeys(StateSnapshot state, BoltWriter db) throws IOException {
    int[] keyAt = keysInRevisionOrder(state);
    // a key's entries are oldest first: the next one of key k is at cursor[k]
    int[] cursor = new int[state.keyCount()];
    for (int k : keyAt) {
      Entry e = state.history(k)[cursor[k]++];
      long main = e.revision() >>> Entry.SUB_BITS;
      long sub = e.revision() & Entry.MAX_SUB;
      // keys and values are never changed in place, and the arena read is a fresh array: no copies needed
      KeyValue.Builder kv = KeyValue.newBuilder().setKey(UnsafeByteOperations.unsafeWrap(state.key(k)));
      if (!e.isTombstone()) {
        kv.setCreateRevision(e.createRevision()).setModRevision(main).setVersion(e.version())
            .setValue(UnsafeByteOperations.unsafeWrap(state.value(e))).setLease(e.lease());
      }
      db.put(revisionKey(main, sub, e.isTombstone()), kv.build().toByteArray());
    }
  }

  /**
   * For each entry of the state in revision order, the key it belongs to. Revisions are unique, so each entry's
   * place is where binary search finds its revision in the sorted revisions: primitive arrays only, where a
   * comparator sort of boxed indices spent most of a million-key snapshot's conversion.
   */
  static int[] keysInRevisionOrder(StateSnapshot state) {
    int total = 0;
    for (int k = 0; k < state.keyCount(); k++) {
      total += state.history(k).length;
    }
    long[] revisions = new long[total];
    int[] keyOf = new int[total];
    for (int k = 0, n = 0; k < state.keyCount(); k++) {
      for (Entry e : state.history(k)) {
        revisions[n] = e.revision();
        keyOf[n++] = k;
      }
    }
    long[] sorted = revisions.clone();
    Arrays.sort(sorted);
    int[] keyAt = new int[total];
    for (int n = 0; n < total; n++) {
      keyAt[Arrays.binarySearch(sorted, revisions[n])] = keyOf[n];
    }
    return keyAt;
  }

  /**
   * Reads etcd's backend into a Tugboat state.
   *
   * @throws BoltFormatException if a bucket etcd always has is missing, or a record in one is not etcd's
   */
  public static Contents read(BoltReader db) throws IOException {
    long[] meta = new long[2]; // consistent index, finished compaction
    boolean[] sawMeta = new boolean[1];
    sawMeta[0] = db.forEach(META, (k, v) -> {
      if (Arrays.equals(k, CONSISTENT_INDEX)) {
        if (v.length != 8) {
          throw new BoltFormatException("bucket meta: consistent_index is " + v.length + " bytes, not 8");
        }
        meta[0] = ByteBuffer.wrap(v).getLong();
      } else if (Arrays.equals(k, FINISHED_COMPACT)) {
        meta[1] = revisionMain(v, "bucket meta: finishedCompactRev");
      }
    });
    if (!sawMeta[0]) {
      throw new BoltFormatException("not etcd's backend: it has no meta bucket");
    }
    TreeMap<byte[], List<Entry>> histories = new TreeMap<>(Arrays::compareUnsigned);
    ValueArena arena = new ValueArena();
    long[] revision = {meta[1]};
    boolean sawKeys = db.forEach(KEY, (k, v) -> {
      if ((k.length != REVISION_BYTES && k.length != REVISION_BYTES + 1) || k[8] != '_'
          || (k.length == REVISION_BYTES + 1 && k[REVISION_BYTES] != 't')) {
        throw new BoltFormatException("bucket key: " + k.length + "-byte key " + hex(k) + " is not a revision");
      }
      ByteBuffer r = ByteBuffer.wrap(k);
      long main = r.getLong(0);
      long sub = r.getLong(9);
      if (main <= 0 || main >= 1L << (63 - Entry.SUB_BITS) || sub < 0 || sub > Entry.MAX_SUB) {
        throw new BoltFormatException("bucket key: revision " + main + "_" + sub + " is out of Tugboat's range");
      }
      KeyValue kv;
      try {
        kv = KeyValue.parseFrom(v);
      } catch (InvalidProtocolBufferException e) {
        throw new BoltFormatException("bucket key: revision " + main + "_" + sub + ": not an mvccpb.KeyValue: "
            + e.getMessage());
      }
      long packed = Entry.pack(main, sub);
      byte[] value = kv.getValue().toByteArray();
      Entry e = k.length > REVISION_BYTES ? Entry.tombstone(packed)
          : Entry.of(packed, kv.getCreateRevision(), kv.getVersion(), kv.getLease(), arena.allocate(value),
              value.length);
      histories.computeIfAbsent(kv.getKey().toByteArray(), x -> new ArrayList<>()).add(e);
      revision[0] = Math.max(revision[0], main);
    });
    if (!sawKeys) {
      throw new BoltFormatException("not etcd's backend: it has no key bucket");
    }
    List<long[]> leases = new ArrayList<>();
    db.forEach(LEASE, (k, v) -> leases.add(lease(v)));
    long[] ids = new long[leases.size()];
    long[] ttls = new long[leases.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = leases.get(i)[0];
      ttls[i] = leases.get(i)[1];
    }
    List<Member> members = new ArrayList<>();
    db.forEach(MEMBERS, (k, v) -> members.add(member(k, v)));
    List<byte[]> keys = new ArrayList<>(histories.keySet());
    List<Entry[]> entries = new ArrayList<>(keys.size());
    for (List<Entry> h : histories.values()) {
      entries.add(h.toArray(new Entry[0]));
    }
    StateSnapshot state = StateSnapshot.of(meta[0], revision[0], meta[1], keys, entries, ids, ttls, arena);
    return new Contents(meta[0], revision[0], meta[1], keys.size(), ids.length, members, state::writeTo,
        status(db));
  }

  /** As etcdctl's snapshot status (clientv3/snapshot's Status) computes it. */
  static Status status(BoltReader db) throws IOException {
    CRC32C crc = new CRC32C();
    long[] total = new long[1];
    for (byte[] bucket : db.bucketNames()) {
      crc.update(bucket);
      db.forEach(bucket, (k, v) -> {
        crc.update(k);
        if (v != null) {
          crc.update(v);
        }
        total[0]++;
      });
    }
    return new Status((int) crc.getValue(), total[0]);
  }

  static byte[] revisionKey(long main, long sub, boolean tombstone) {
    ByteBuffer b = ByteBuffer.allocate(REVISION_BYTES + (tombstone ? 1 : 0));
    b.putLong(main).put((byte) '_').putLong(sub);
    if (tombstone) {
      b.put((byte) 't');
    }
    return b.array();
  }

  private static long revisionMain(byte[] v, String where) throws BoltFormatException {
    if (v.length < REVISION_BYTES || v[8] != '_') {
      throw new BoltFormatException(where + ": " + hex(v) + " is not a revision");
    }
    return ByteBuffer.wrap(v).getLong(0);
  }

  /** leasepb.Lease: ID = 1, TTL = 2 (RemainingTTL = 3 only for checkpointed leases, which Tugboat has not). */
  static byte[] lease(long id, long ttl) throws IOException {
    byte[] out = new byte[CodedOutputStream.computeInt64Size(1, id) + CodedOutputStream.computeInt64Size(2, ttl)];
    CodedOutputStream coded = CodedOutputStream.newInstance(out);
    coded.writeInt64(1, id);
    coded.writeInt64(2, ttl);
    coded.checkNoSpaceLeft();
    return out;
  }

  private static long[] lease(byte[] v) throws BoltFormatException {
    long[] lease = new long[2];
    try {
      CodedInputStream in = CodedInputStream.newInstance(v);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag) {
          case 1 << 3 -> lease[0] = in.readInt64();
          case 2 << 3 -> lease[1] = in.readInt64();
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new BoltFormatException("bucket lease: " + hex(v) + " is not a leasepb.Lease: " + e.getMessage());
    }
    return lease;
  }

  static byte[] memberKey(long id) {
    return bytes(Long.toHexString(id));
  }

  static byte[] memberJson(Member m) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", new BigInteger(Long.toUnsignedString(m.id())));
    m.peerUrls().forEach(node.putArray("peerURLs")::add);
    if (m.learner()) {
      node.put("isLearner", true);
    }
    if (!m.name().isEmpty()) {
      node.put("name", m.name());
    }
    if (!m.clientUrls().isEmpty()) {
      m.clientUrls().forEach(node.putArray("clientURLs")::add);
    }
    return JSON.writeValueAsBytes(node);
  }

  private static Member member(byte[] key, byte[] json) throws BoltFormatException {
    try {
      long id = Long.parseUnsignedLong(new String(key, StandardCharsets.US_ASCII), 16);
      JsonNode node = JSON.readTree(json);
      List<String> peers = new ArrayList<>();
      node.path("peerURLs").forEach(u -> peers.add(u.asString()));
      List<String> clients = new ArrayList<>();
      node.path("clientURLs").forEach(u -> clients.add(u.asString()));
      return new Member(id, node.path("name").asString(""), peers, clients, node.path("isLearner").asBoolean(false));
    } catch (RuntimeException e) {
      throw new BoltFormatException("bucket members: " + new String(key, StandardCharsets.UTF_8) + " is not an etcd "
          + "member: " + e.getMessage());
    }
  }

  private static Integer[] order(int n, java.util.Comparator<Integer> by) {
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, by);
    return order;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String hex(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 32); i++) {
      s.append(String.format("%02x", b[i]));
    }
    return b.length > 32 ? s + "..." : s.toString();
  }
}
