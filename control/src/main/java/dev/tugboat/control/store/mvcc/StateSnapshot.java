package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.StoreException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

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
  private final List<Entry[]> histories;
  private final long[] leaseIds;
  private final long[] leaseTtls;

  private StateSnapshot(long appliedIndex, long revision, long compactRevision, List<byte[]> keys,
                        List<Entry[]> histories, long[] leaseIds, long[] leaseTtls) {
    this.appliedIndex = appliedIndex;
    this.revision = revision;
    this.compactRevision = compactRevision;
    this.keys = keys;
    this.histories = histories;
    this.leaseIds = leaseIds;
    this.leaseTtls = leaseTtls;
  }

  long appliedIndex() {
    return appliedIndex;
  }

  static void write(OutputStream target, long appliedIndex, KeySpace keySpace, LeaseTable leases)
      throws IOException {
    CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(nonClosing(target), 1 << 16),
        new CRC32C());
    DataOutputStream out = new DataOutputStream(checked);
    out.write(MAGIC);
    out.writeLong(appliedIndex);
    out.writeLong(keySpace.revision());
    out.writeLong(keySpace.compactRevision());
    out.writeInt(keySpace.keyCount());
    IOException[] failure = new IOException[1];
    keySpace.forEachHistory((key, entries) -> {
      if (failure[0] != null) {
        return;
      }
      try {
        out.writeInt(key.length);
        out.write(key);
        out.writeInt(entries.length);
        for (Entry e : entries) {
          out.writeLong(e.revision());
          out.writeLong(e.createRevision());
          out.writeLong(e.version());
          out.writeLong(e.lease());
          out.writeInt(e.value().length);
          out.write(e.value());
        }
      } catch (IOException e) {
        failure[0] = e;
      }
    });
    if (failure[0] != null) {
      throw failure[0];
    }
    out.writeInt(leases.all().size());
    for (LeaseTable.Lease lease : leases.all()) {
      out.writeLong(lease.id);
      out.writeLong(lease.ttlSeconds);
    }
    out.flush();
    int crc = (int) checked.getChecksum().getValue();
    out.writeInt(crc);
    out.flush();
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
      List<Entry[]> histories = new ArrayList<>(Math.min(keyCount, 1 << 16));
      for (int i = 0; i < keyCount; i++) {
        keys.add(bytes(in, "key length"));
        int entryCount = count(in.readInt(), "entry count");
        if (entryCount == 0 || entryCount > MAX_BYTES) {
          throw corrupt("key " + i + " has " + entryCount + " entries");
        }
        Entry[] entries = new Entry[entryCount];
        for (int j = 0; j < entries.length; j++) {
          entries[j] = new Entry(in.readLong(), in.readLong(), in.readLong(), in.readLong(), bytes(in, "value length"));
        }
        histories.add(entries);
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
      return new StateSnapshot(appliedIndex, revision, compactRevision, keys, histories, ids, ttls);
    } catch (EOFException e) {
      throw corrupt("it ends early");
    }
  }

  void restoreInto(KeySpace keySpace, LeaseTable leases) {
    keySpace.restore(revision, compactRevision);
    leases.clear();
    for (int i = 0; i < leaseIds.length; i++) {
      leases.grant(leaseIds[i], leaseTtls[i]);
    }
    for (int i = 0; i < keys.size(); i++) {
      Entry[] history = histories.get(i);
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

  private static OutputStream nonClosing(OutputStream out) {
    return new java.io.FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }
}
