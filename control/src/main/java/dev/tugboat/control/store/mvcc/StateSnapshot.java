package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.StoreException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;

/**
 * The state machine's state as a byte stream:
 * <pre>
 *   "TUGSNAP1"  appliedIndex:long  revision:long  compactRevision:long
 *   keyCount:int  { keyLength:int key  entryCount:int { revision:long createRevision:long version:long lease:long
 *                                                       valueLength:int value } }
 *   leaseCount:int { id:long ttlSeconds:long }
 *   crc32c:int   (of every byte before it)
 *   zero bytes, if padded
 * </pre>
 * Which keys a lease holds is not written: it follows from the live keys' lease fields.
 */
final class StateSnapshot {

  private static final byte[] MAGIC = "TUGSNAP1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  /** Keys and values are bounded by the request size limit; anything longer is damage. */
  private static final int MAX_BYTES = 16 << 20;

  private final long appliedIndex;
  private final long revision;
  private final long compactRevision;
  private final List<byte[]> keys;
  /** Per key: one {@link Entry} or an {@code Entry[]}, oldest first, as {@link KeySpace} keeps them. */
  private final List<Object> histories;
  private final long[] leaseIds;
  private final long[] leaseTtls;
  /** Where the entries' values are: the live arena's reader when captured, a new arena when read. */
  private final ValueArena.Reader values;
  private final ValueArena arena;

  private StateSnapshot(long appliedIndex, long revision, long compactRevision, List<byte[]> keys,
                        List<Object> histories, long[] leaseIds, long[] leaseTtls, ValueArena.Reader values,
                        ValueArena arena) {
    this.appliedIndex = appliedIndex;
    this.revision = revision;
    this.compactRevision = compactRevision;
    this.keys = keys;
    this.histories = histories;
    this.leaseIds = leaseIds;
    this.leaseTtls = leaseTtls;
    this.values = values;
    this.arena = arena;
  }

  long appliedIndex() {
    return appliedIndex;
  }

  long revision() {
    return revision;
  }

  long compactRevision() {
    return compactRevision;
  }

  int keyCount() {
    return keys.size();
  }

  byte[] key(int i) {
    return keys.get(i);
  }

  /** Key {@code i}'s history, oldest first. */
  Entry[] history(int i) {
    return KeySpace.entries(histories.get(i));
  }

  byte[] value(Entry e) {
    return values.read(e.valueRef(), e.valueLength());
  }

  long[] leaseIds() {
    return leaseIds;
  }

  long[] leaseTtls() {
    return leaseTtls;
  }

  /** A state made from another store's (etcd's backend): histories oldest first, values in {@code arena}. */
  static StateSnapshot of(long appliedIndex, long revision, long compactRevision, List<byte[]> keys,
                          List<Entry[]> histories, long[] leaseIds, long[] leaseTtls, ValueArena arena) {
    List<Object> held = new ArrayList<>(histories.size());
    for (Entry[] h : histories) {
      held.add(h.length == 1 ? h[0] : h);
    }
    return new StateSnapshot(appliedIndex, revision, compactRevision, keys, held, leaseIds, leaseTtls,
        arena.reader(), arena);
  }

  /**
   * Captures the state as it is now, for {@link #writeTo} later without any lock: keys, values, entries and history
   * arrays are never changed in place (a write replaces a key's history array, compaction makes a new one), so
   * copying the references is a consistent copy. With a million keys this takes tens of milliseconds, where writing
   * them out takes seconds.
   */
  static StateSnapshot capture(long appliedIndex, KeySpace keySpace, LeaseTable leases) {
    List<byte[]> keys = new ArrayList<>(keySpace.keyCount());
    List<Object> histories = new ArrayList<>(keySpace.keyCount());
    keySpace.forEachHistoryObject((key, history) -> {
      keys.add(key);
      histories.add(history);
    });
    long[] ids = new long[leases.all().size()];
    long[] ttls = new long[ids.length];
    int i = 0;
    for (LeaseTable.Lease lease : leases.all()) {
      ids[i] = lease.id;
      ttls[i++] = lease.ttlSeconds;
    }
    return new StateSnapshot(appliedIndex, keySpace.revision(), keySpace.compactRevision(), keys, histories, ids,
        ttls, keySpace.valueReader(), null);
  }

  void writeTo(OutputStream target) throws IOException {
    ChecksummedOutput out = new ChecksummedOutput(target);
    out.write(MAGIC);
    out.writeLong(appliedIndex);
    out.writeLong(revision);
    out.writeLong(compactRevision);
    out.writeInt(keys.size());
    for (int k = 0; k < keys.size(); k++) {
      byte[] key = keys.get(k);
      Entry[] entries = KeySpace.entries(histories.get(k));
      out.writeInt(key.length);
      out.write(key);
      out.writeInt(entries.length);
      for (Entry e : entries) {
        out.writeLong(e.revision());
        out.writeLong(e.createRevision());
        out.writeLong(e.version());
        out.writeLong(e.lease());
        out.writeInt(e.valueLength());
        out.writeValue(values, e.valueRef(), e.valueLength());
      }
    }
    out.writeInt(leaseIds.length);
    for (int i = 0; i < leaseIds.length; i++) {
      out.writeLong(leaseIds[i]);
      out.writeLong(leaseTtls[i]);
    }
    out.flush();
    target.write(ByteBuffer.allocate(Integer.BYTES).putInt(out.checksum()).array());
    target.flush();
  }

  /** Reads and checks a whole snapshot; a damaged one fails with {@link StoreException.Code#CORRUPT}. */
  static StateSnapshot read(InputStream source) throws IOException {
    CheckedInputStream checked = new CheckedInputStream(new BufferedInputStream(source, 1 << 16), new CRC32C());
    DataInputStream in = new DataInputStream(checked);
    try {
      byte[] magic = new byte[MAGIC.length];
      in.readFully(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw corrupt("it does not start with " + new String(MAGIC, java.nio.charset.StandardCharsets.US_ASCII));
      }
      long appliedIndex = in.readLong();
      long revision = in.readLong();
      long compactRevision = in.readLong();
      int keyCount = count(in.readInt(), "key count");
      List<byte[]> keys = new ArrayList<>(Math.min(keyCount, 1 << 16));
      List<Object> histories = new ArrayList<>(Math.min(keyCount, 1 << 16));
      ValueArena arena = new ValueArena();
      for (int i = 0; i < keyCount; i++) {
        keys.add(bytes(in, "key length"));
        int entryCount = count(in.readInt(), "entry count");
        if (entryCount == 0 || entryCount > MAX_BYTES) {
          throw corrupt("key " + i + " has " + entryCount + " entries");
        }
        Entry[] entries = new Entry[entryCount];
        for (int j = 0; j < entries.length; j++) {
          long entryRevision = in.readLong();
          long createRevision = in.readLong();
          long version = in.readLong();
          long lease = in.readLong();
          byte[] value = bytes(in, "value length");
          entries[j] = Entry.of(entryRevision, createRevision, version, lease, arena.allocate(value), value.length);
        }
        histories.add(entries.length == 1 ? entries[0] : entries);
      }
      int leaseCount = count(in.readInt(), "lease count");
      long[] ids = new long[0];
      long[] ttls = new long[0];
      for (int i = 0; i < leaseCount; i++) {
        if (i == ids.length) {
          ids = Arrays.copyOf(ids, Math.max(16, i * 2));
          ttls = Arrays.copyOf(ttls, ids.length);
        }
        ids[i] = in.readLong();
        ttls[i] = in.readLong();
      }
      ids = Arrays.copyOf(ids, leaseCount);
      ttls = Arrays.copyOf(ttls, leaseCount);
      int computed = (int) checked.getChecksum().getValue();
      int stored = in.readInt();
      if (computed != stored) {
        throw corrupt("checksum mismatch (stored " + Integer.toHexString(stored) + ", computed "
            + Integer.toHexString(computed) + ")");
      }
      for (int b = in.read(); b != -1; b = in.read()) {
        if (b != 0) {
          throw corrupt("bytes other than zero padding follow the checksum");
        }
      }
      return new StateSnapshot(appliedIndex, revision, compactRevision, keys, histories, ids, ttls, arena.reader(),
          arena);
    } catch (EOFException e) {
      throw corrupt("it ends early: it was cut short or a length in it is damaged");
    }
  }

  void restoreInto(KeySpace keySpace, LeaseTable leases) {
    keySpace.restore(revision, compactRevision, arena);
    leases.clear();
    for (int i = 0; i < leaseIds.length; i++) {
      leases.grant(leaseIds[i], leaseTtls[i]);
    }
    for (int i = 0; i < keys.size(); i++) {
      Entry[] history = KeySpace.entries(histories.get(i));
      keySpace.restoreKey(keys.get(i), history);
      Entry newest = history[history.length - 1];
      if (!newest.isTombstone() && newest.lease() != 0 && leases.contains(newest.lease())) {
        leases.attach(newest.lease(), keys.get(i));
      }
    }
  }

  private static byte[] bytes(DataInputStream in, String what) throws IOException {
    int n = count(in.readInt(), what);
    if (n > MAX_BYTES) {
      throw corrupt(what + " " + n + " is larger than any request can write");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return b;
  }

  private static int count(int n, String what) {
    if (n < 0) {
      throw corrupt(what + " " + n + " is negative");
    }
    return n;
  }

  private static StoreException corrupt(String why) {
    return new StoreException(StoreException.Code.CORRUPT, "store snapshot: " + why);
  }
}
