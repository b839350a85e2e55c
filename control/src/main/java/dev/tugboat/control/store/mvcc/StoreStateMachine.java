package dev.tugboat.control.store.mvcc;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.DeleteRangeResponse;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.LeaseTimeToLive;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.OpResponse;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.etcd.api.StoreCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The replicated state of the store: the MVCC keyspace and the leases, changed only by {@link #apply} of
 * {@link StoreCommand}s. Applying the same commands in the same order gives the same state and the same results,
 * always: nothing here reads a clock or a random source.
 *
 * <p>Thread-safe: apply takes a write lock, reads a read lock. Watches are fed by apply through {@link WatchHub}.
 */
public final class StoreStateMachine {

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final KeySpace keySpace = new KeySpace();
  private final LeaseTable leases = new LeaseTable();
  private final WatchHub watchHub;
  private long appliedIndex;

  /** {@code watchExecutor} runs watch listeners; each watch's callbacks run one at a time. */
  public StoreStateMachine(Executor watchExecutor) {
    this.watchHub = new WatchHub(watchExecutor, keySpace, lock);
  }

  // ---- apply

  /**
   * Applies the command committed at log {@code index}: returns the response record ({@link PutResponse},
   * {@link DeleteRangeResponse}, {@link TxnResponse}, {@link LeaseGrant}, {@code Long} for compaction and lease
   * revoke: the store revision), or the {@link StoreException} the command deterministically fails with.
   * An index at or below the applied index was applied already (replay after a snapshot): it returns null.
   */
  public Object apply(long index, byte[] command) {
    return apply(index, command, 0, command.length);
  }

  /** {@link #apply(long, byte[])} of the command held in {@code data[offset, offset + length)}. */
  public Object apply(long index, byte[] data, int offset, int length) {
    StoreCommand parsed;
    try {
      // Aliased: the parsed keys and values point into data rather than copying it, since fromProto copies each
      // into the store's own arrays anyway and nothing keeps the parsed command; a pod's JSON was copied twice on
      // its way through apply otherwise (JFR of the API server, 64 clients creating pods, 2026-11-29).
      CodedInputStream in = CodedInputStream.newInstance(data, offset, length);
      in.enableAliasing(true);
      parsed = StoreCommand.parser().parseFrom(in);
      in.checkLastTagWas(0); // as parseFrom(byte[]) checks: the command ends where the data does
    } catch (InvalidProtocolBufferException e) {
      parsed = null;
    }
    lock.writeLock().lock();
    try {
      if (index <= appliedIndex) {
        return null;
      }
      appliedIndex = index;
      if (parsed == null) {
        return new StoreException(StoreException.Code.CORRUPT,
            "store command at index " + index + " is not a StoreCommand message");
      }
      return applyCommand(parsed);
    } catch (StoreException e) {
      return e;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private Object applyCommand(StoreCommand c) {
    return switch (c.getRequestCase()) {
      case PUT -> applyPut(EtcdMessages.fromProto(c.getPut()));
      case DELETE_RANGE -> applyDeleteRange(EtcdMessages.fromProto(c.getDeleteRange()));
      case TXN -> applyTxn(EtcdMessages.fromProto(c.getTxn()));
      case COMPACTION -> {
        keySpace.compact(c.getCompaction().getRevision());
        yield keySpace.revision();
      }
      case LEASE_GRANT -> applyLeaseGrant(c.getLeaseGrant().getID(), c.getLeaseGrant().getTTL());
      case LEASE_REVOKE -> applyLeaseRevoke(c.getLeaseRevoke().getID());
      case REQUEST_NOT_SET -> throw new StoreException(StoreException.Code.CORRUPT, "store command names no request");
    };
  }

  private PutResponse applyPut(PutRequest put) {
    checkPut(put);
    keySpace.beginWrite(watchHub.hasWatchers());
    PutResponse response;
    try {
      response = put(put);
    } finally {
      publish(keySpace.endWrite());
    }
    return new PutResponse(keySpace.revision(), response.prevKv());
  }

  private DeleteRangeResponse applyDeleteRange(DeleteRangeRequest delete) {
    keySpace.beginWrite(watchHub.hasWatchers());
    DeleteRangeResponse response;
    try {
      response = deleteRange(delete);
    } finally {
      publish(keySpace.endWrite());
    }
    return new DeleteRangeResponse(keySpace.revision(), response.deleted(), response.prevKvs());
  }

  private TxnResponse applyTxn(TxnRequest txn) {
    TxnPath path = decide(txn);
    checkOps(txn, path);
    keySpace.beginWrite(watchHub.hasWatchers());
    TxnResponse response;
    try {
      response = runTxn(txn, path);
    } finally {
      publish(keySpace.endWrite());
    }
    return (TxnResponse) withRevision(response, keySpace.revision());
  }

  private LeaseGrant applyLeaseGrant(long id, long ttlSeconds) {
    if (leases.contains(id)) {
      throw new StoreException(StoreException.Code.LEASE_EXISTS, "lease " + id + " already exists");
    }
    leases.grant(id, ttlSeconds);
    return new LeaseGrant(id, ttlSeconds);
  }

  private Long applyLeaseRevoke(long id) {
    if (!leases.contains(id)) {
      throw leaseNotFound(id);
    }
    keySpace.beginWrite(watchHub.hasWatchers());
    try {
      for (byte[] key : leases.revoke(id)) {
        keySpace.deleteRange(key, KeyRanges.NONE);
      }
    } finally {
      publish(keySpace.endWrite());
    }
    return keySpace.revision();
  }

  private void publish(List<WatchEvent> events) {
    if (!events.isEmpty()) {
      watchHub.publish(keySpace.revision(), events);
    }
  }

  // ---- the operations inside a write (revisions in their responses are fixed up by the caller)

  private PutResponse put(PutRequest put) {
    Entry prev;
    long lease;
    if (put.ignoreValue() || put.ignoreLease()) {
      prev = keySpace.live(put.key());
      byte[] value = put.ignoreValue() ? keySpace.value(prev) : put.value();
      lease = put.ignoreLease() ? prev.lease() : put.lease();
      keySpace.put(put.key(), value, lease);
    } else {
      // the common put needs nothing of the previous entry before it writes: one lookup of the key, not two
      lease = put.lease();
      prev = keySpace.put(put.key(), put.value(), lease);
    }
    if (prev != null && prev.lease() != lease) {
      leases.detach(prev.lease(), put.key());
    }
    leases.attach(lease, put.key());
    KeyValue prevKv = put.prevKv() && prev != null ? keySpace.keyValue(put.key(), prev, false) : null;
    return new PutResponse(0, prevKv);
  }

  private DeleteRangeResponse deleteRange(DeleteRangeRequest delete) {
    List<Map.Entry<byte[], Entry>> deleted = keySpace.deleteRange(delete.key(), delete.rangeEnd());
    List<KeyValue> prevKvs = new ArrayList<>(delete.prevKv() ? deleted.size() : 0);
    for (Map.Entry<byte[], Entry> d : deleted) {
      leases.detach(d.getValue().lease(), d.getKey());
      if (delete.prevKv()) {
        prevKvs.add(keySpace.keyValue(d.getKey(), d.getValue(), false));
      }
    }
    return new DeleteRangeResponse(0, deleted.size(), prevKvs);
  }

  private TxnResponse runTxn(TxnRequest txn, TxnPath path) {
    List<Op> ops = path.succeeded() ? txn.success() : txn.failure();
    List<OpResponse> responses = new ArrayList<>(ops.size());
    int nested = 0;
    for (Op op : ops) {
      if (op instanceof RangeRequest r) {
        responses.add(keySpace.range(r.key(), r.rangeEnd(), r.revision(), r.limit(), r.keysOnly(), r.countOnly()));
      } else if (op instanceof PutRequest p) {
        responses.add(put(p));
      } else if (op instanceof DeleteRangeRequest d) {
        responses.add(deleteRange(d));
      } else {
        responses.add(runTxn((TxnRequest) op, path.nested().get(nested++)));
      }
    }
    return new TxnResponse(0, path.succeeded(), responses);
  }

  /** etcd reports one revision, the transaction's, on every response inside it. */
  private static OpResponse withRevision(OpResponse r, long revision) {
    if (r instanceof RangeResponse range) {
      return new RangeResponse(revision, range.kvs(), range.more(), range.count());
    } else if (r instanceof PutResponse put) {
      return new PutResponse(revision, put.prevKv());
    } else if (r instanceof DeleteRangeResponse delete) {
      return new DeleteRangeResponse(revision, delete.deleted(), delete.prevKvs());
    }
    TxnResponse txn = (TxnResponse) r;
    List<OpResponse> responses = new ArrayList<>(txn.responses().size());
    for (OpResponse inner : txn.responses()) {
      responses.add(withRevision(inner, revision));
    }
    return new TxnResponse(revision, txn.succeeded(), responses);
  }

  // ---- checks made before anything is written, so a refused command changes nothing

  private void checkPut(PutRequest put) {
    if ((put.ignoreValue() || put.ignoreLease()) && keySpace.live(put.key()) == null) {
      throw new StoreException(StoreException.Code.KEY_NOT_FOUND,
          "put " + printable(put.key()) + ": ignore_value/ignore_lease needs an existing key");
    }
    if (!put.ignoreLease() && put.lease() != 0 && !leases.contains(put.lease())) {
      throw leaseNotFound(put.lease());
    }
  }

  /** Checks the ops on the taken path as etcd does before applying: puts' keys and leases, reads' revisions. */
  private void checkOps(TxnRequest txn, TxnPath path) {
    List<Op> ops = path.succeeded() ? txn.success() : txn.failure();
    int nested = 0;
    for (Op op : ops) {
      if (op instanceof PutRequest p) {
        checkPut(p);
      } else if (op instanceof RangeRequest r) {
        keySpace.readableRevision(r.revision());
      } else if (op instanceof TxnRequest t) {
        checkOps(t, path.nested().get(nested++));
      }
    }
  }

  private TxnPath decide(TxnRequest txn) {
    boolean succeeded = true;
    for (Compare c : txn.compare()) {
      if (!holds(c)) {
        succeeded = false;
        break;
      }
    }
    List<TxnPath> nested = new ArrayList<>();
    for (Op op : succeeded ? txn.success() : txn.failure()) {
      if (op instanceof TxnRequest t) {
        nested.add(decide(t));
      }
    }
    return new TxnPath(succeeded, nested);
  }

  /** Every key in the compare's range must satisfy it; no key compares as a zero KeyValue (VALUE fails). */
  private boolean holds(Compare c) {
    List<Entry> entries = new ArrayList<>();
    if (c.rangeEnd() == null || c.rangeEnd().length == 0) {
      Entry live = keySpace.live(c.key());
      if (live != null) {
        entries.add(live);
      }
    } else {
      keySpace.forEachLive(c.key(), c.rangeEnd(), (k, e) -> entries.add(e));
    }
    if (entries.isEmpty()) {
      return c.target() != Compare.Target.VALUE && holds(c, Entry.ABSENT);
    }
    for (Entry e : entries) {
      if (!holds(c, e)) {
        return false;
      }
    }
    return true;
  }

  private boolean holds(Compare c, Entry e) {
    int order = switch (c.target()) {
      case VERSION -> Long.compare(e.version(), c.number());
      case CREATE -> Long.compare(e.createRevision(), c.number());
      case MOD -> Long.compare(e.isTombstone() ? 0 : e.modRevision(), c.number());
      case LEASE -> Long.compare(e.lease(), c.number());
      case VALUE -> Arrays.compareUnsigned(keySpace.value(e), c.value() == null ? Entry.NO_VALUE : c.value());
    };
    return switch (c.result()) {
      case EQUAL -> order == 0;
      case NOT_EQUAL -> order != 0;
      case GREATER -> order > 0;
      case LESS -> order < 0;
    };
  }

  // ---- reads

  public RangeResponse range(RangeRequest r) {
    lock.readLock().lock();
    try {
      return keySpace.range(r.key(), r.rangeEnd(), r.revision(), r.limit(), r.keysOnly(), r.countOnly());
    } finally {
      lock.readLock().unlock();
    }
  }

  public long revision() {
    lock.readLock().lock();
    try {
      return keySpace.revision();
    } finally {
      lock.readLock().unlock();
    }
  }

  public long compactRevision() {
    lock.readLock().lock();
    try {
      return keySpace.compactRevision();
    } finally {
      lock.readLock().unlock();
    }
  }

  public long appliedIndex() {
    lock.readLock().lock();
    try {
      return appliedIndex;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The number of keys with retained history (live or not), a measure of the state's size. */
  public long keyCount() {
    lock.readLock().lock();
    try {
      return keySpace.keyCount();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The keys that exist now (not deleted), as etcd's keys gauge counts them; kept as writes go, not counted. */
  public long liveKeyCount() {
    lock.readLock().lock();
    try {
      return keySpace.liveKeyCount();
    } finally {
      lock.readLock().unlock();
    }
  }

  public boolean leaseExists(long id) {
    lock.readLock().lock();
    try {
      return leases.contains(id);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The lease's granted TTL and keys; {@code ttlSeconds} is left to the caller, who knows when it expires. */
  public LeaseTimeToLive leaseInfo(long id, boolean withKeys) {
    lock.readLock().lock();
    try {
      LeaseTable.Lease lease = leases.get(id);
      if (lease == null) {
        return new LeaseTimeToLive(id, -1, 0, List.of());
      }
      List<byte[]> keys = withKeys ? List.copyOf(lease.keys) : List.of();
      return new LeaseTimeToLive(id, lease.ttlSeconds, lease.ttlSeconds, keys);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Every lease id with its granted TTL, in id order. */
  public List<LeaseGrant> leases() {
    lock.readLock().lock();
    try {
      List<LeaseGrant> all = new ArrayList<>();
      for (LeaseTable.Lease lease : leases.all()) {
        all.add(new LeaseGrant(lease.id, lease.ttlSeconds));
      }
      return all;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Bytes held by keys and values, history included: what etcd reports as its database size. */
  public long approximateBytes() {
    lock.readLock().lock();
    try {
      long[] bytes = {0};
      keySpace.forEachHistory((key, entries) -> {
        for (Entry e : entries) {
          bytes[0] += key.length + e.valueLength() + 32;
        }
      });
      return bytes[0];
    } finally {
      lock.readLock().unlock();
    }
  }

  /** A CRC-32C over the keyspace's history up to {@code revision} (0: all), for Maintenance.HashKV. */
  public int hash(long revision) {
    lock.readLock().lock();
    try {
      long bound = revision <= 0 ? Long.MAX_VALUE : Entry.pack(revision + 1, 0);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      keySpace.forEachHistory((key, entries) -> {
        for (Entry e : entries) {
          if (e.revision() < bound) {
            crc.update(key);
            crc.update(longBytes(e.revision(), e.createRevision(), e.version(), e.lease()));
            crc.update(keySpace.value(e));
          }
        }
      });
      return (int) crc.getValue();
    } finally {
      lock.readLock().unlock();
    }
  }

  private static byte[] longBytes(long... values) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 * values.length);
    for (long v : values) {
      b.putLong(v);
    }
    return b.array();
  }

  // ---- watches

  /** Starts a watch; history from its start revision is replayed first (or it ends compacted). */
  public Watcher watch(WatchRequest request, WatchListener listener) {
    lock.writeLock().lock();
    try {
      return watchHub.start(request, listener);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Sends a progress notification to every watch that asked for them and saw no events since the last one. */
  public void notifyProgress() {
    watchHub.periodicProgress();
  }

  public int watchCount() {
    return watchHub.size();
  }

  /** Ends every watch (the store is closing). */
  public void closeWatches(StoreException cause) {
    lock.writeLock().lock();
    try {
      watchHub.closeAll(cause);
    } finally {
      lock.writeLock().unlock();
    }
  }

  // ---- snapshots

  /** Writes the whole state (see {@link StateSnapshot}); applies wait only while it is captured. */
  public void writeSnapshot(OutputStream out) throws IOException {
    captureSnapshot().writeTo(out);
  }

  /**
   * The state as it is now, to be written out later on any thread while applies go on: capturing copies references
   * under the read lock (tens of milliseconds for a million keys); writing, the slow part, takes no lock.
   */
  public CapturedState captureSnapshot() {
    StateSnapshot snapshot;
    lock.readLock().lock();
    try {
      snapshot = StateSnapshot.capture(appliedIndex, keySpace, leases);
    } finally {
      lock.readLock().unlock();
    }
    return new CapturedState(snapshot);
  }

  /** A captured state that can be written out (see {@link #captureSnapshot}). */
  @FunctionalInterface
  public interface SnapshotWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Replaces the whole state by a snapshot (a follower catching up, or a restart). The snapshot is read and
   * checked completely before anything changes. Running watches end: their history may no longer be there.
   */
  public void restoreSnapshot(InputStream in) throws IOException {
    StateSnapshot snapshot = StateSnapshot.read(in);
    lock.writeLock().lock();
    try {
      watchHub.closeAll(new StoreException(StoreException.Code.STOPPED,
          "store state was replaced by a snapshot at index " + snapshot.appliedIndex()));
      snapshot.restoreInto(keySpace, leases);
      appliedIndex = snapshot.appliedIndex();
    } finally {
      lock.writeLock().unlock();
    }
  }

  static StoreException leaseNotFound(long id) {
    return new StoreException(StoreException.Code.LEASE_NOT_FOUND, "lease " + id + " not found");
  }

  static String printable(byte[] key) {
    return new String(key, java.nio.charset.StandardCharsets.UTF_8);
  }
}
