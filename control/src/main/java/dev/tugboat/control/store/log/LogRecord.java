package dev.tugboat.control.store.log;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A reusable flyweight over one record of the Raft log, as it is stored in one Chronicle excerpt.
 *
 * <pre>
 *  0  kind        byte   ENTRY, HARD_STATE, TRUNCATE, SNAPSHOT or DISCARD
 *  1  entryType   byte   the Raft entry type (ENTRY only)
 *  2  reserved    short
 *  4  dataLength  int
 *  8  a           long   ENTRY: index  HARD_STATE: term  TRUNCATE: first removed index  SNAPSHOT: index
 *                        DISCARD: Chronicle index of the first unreadable record
 * 16  b           long   ENTRY: term   HARD_STATE: vote  SNAPSHOT: term
 * 24  c           long   HARD_STATE: commit  ENTRY: a commit index known when it was written, at most its own index
 *                        (0 if none): the commit rides on the entries instead of a HARD_STATE record of its own
 * 32  data        dataLength bytes
 *  .  crc32c      int    over every byte before it
 * </pre>
 *
 * The checksum covers the whole record, so a record whose pages reached the disk only in part (a torn write) or that
 * was damaged later reads as invalid instead of as different data.
 */
final class LogRecord {
  static final byte ENTRY = 1;
  static final byte HARD_STATE = 2;
  static final byte TRUNCATE = 3;
  static final byte SNAPSHOT = 4;
  static final byte DISCARD = 5;

  private static final int KIND_OFFSET = 0;
  private static final int ENTRY_TYPE_OFFSET = 1;
  private static final int RESERVED_OFFSET = 2;
  private static final int DATA_LENGTH_OFFSET = 4;
  private static final int A_OFFSET = 8;
  private static final int B_OFFSET = 16;
  private static final int C_OFFSET = 24;
  private static final int HEADER_LENGTH = 32;
  private static final int CHECKSUM_LENGTH = 4;

  /**
   * The record is encoded off the heap: Chronicle copies a heap array into its mapped file with a plain Java loop
   * (UnsafeMemory.copyMemoryLoop, its choice on Java 9+), which under the store's C1-only JIT was a tenth of the
   * leader's CPU samples in check perf; from native memory it copies with Unsafe.copyMemory.
   */
  private ByteBuffer direct = ByteBuffer.allocateDirect(4096);
  private final UnsafeBuffer buffer = new UnsafeBuffer(direct);
  private BytesStore<?, ?> store = BytesStore.wrap(direct);
  private byte[] readArray = new byte[4096];
  private final CRC32C crc = new CRC32C();
  private int length;

  /** Fills this record and returns its encoded length. */
  int encode(byte kind, int entryType, long a, long b, long c, byte[] data) {
    int dataLength = data == null ? 0 : data.length;
    ensureCapacity(HEADER_LENGTH + dataLength + CHECKSUM_LENGTH);
    buffer.putByte(KIND_OFFSET, kind);
    buffer.putByte(ENTRY_TYPE_OFFSET, (byte) entryType);
    buffer.putShort(RESERVED_OFFSET, (short) 0);
    buffer.putInt(DATA_LENGTH_OFFSET, dataLength);
    buffer.putLong(A_OFFSET, a);
    buffer.putLong(B_OFFSET, b);
    buffer.putLong(C_OFFSET, c);
    if (dataLength > 0) {
      buffer.putBytes(HEADER_LENGTH, data);
    }
    int checksumOffset = HEADER_LENGTH + dataLength;
    buffer.putInt(checksumOffset, checksum(checksumOffset));
    length = checksumOffset + CHECKSUM_LENGTH;
    return length;
  }

  void writeTo(Bytes<?> out) {
    out.write(store, 0L, (long) length);
  }

  /** Copies the readable bytes of one excerpt into this record; {@link #isValid()} then says if they are one. */
  void readFrom(Bytes<?> in) {
    long available = in.readRemaining();
    if (available > Integer.MAX_VALUE - 8) {
      length = -1;
      return;
    }
    length = (int) available;
    ensureCapacity(length);
    if (readArray.length < length) {
      readArray = new byte[buffer.capacity()];
    }
    in.read(readArray, 0, length);
    buffer.putBytes(0, readArray, 0, length);
  }

  /** True if the bytes read are one whole record of a known kind whose checksum matches. */
  boolean isValid() {
    if (length < HEADER_LENGTH + CHECKSUM_LENGTH) {
      return false;
    }
    int dataLength = buffer.getInt(DATA_LENGTH_OFFSET);
    if (dataLength < 0 || HEADER_LENGTH + dataLength + CHECKSUM_LENGTH != length) {
      return false;
    }
    byte kind = kind();
    if (kind < ENTRY || kind > DISCARD) {
      return false;
    }
    int checksumOffset = HEADER_LENGTH + dataLength;
    return buffer.getInt(checksumOffset) == checksum(checksumOffset);
  }

  byte kind() {
    return buffer.getByte(KIND_OFFSET);
  }

  int entryType() {
    return buffer.getByte(ENTRY_TYPE_OFFSET);
  }

  long a() {
    return buffer.getLong(A_OFFSET);
  }

  long b() {
    return buffer.getLong(B_OFFSET);
  }

  long c() {
    return buffer.getLong(C_OFFSET);
  }

  byte[] data() {
    byte[] data = new byte[buffer.getInt(DATA_LENGTH_OFFSET)];
    buffer.getBytes(HEADER_LENGTH, data);
    return data;
  }

  private void ensureCapacity(int capacity) {
    if (buffer.capacity() < capacity) {
      direct = ByteBuffer.allocateDirect(Math.max(capacity, buffer.capacity() * 2));
      buffer.wrap(direct);
      store = BytesStore.wrap(direct);
    }
  }

  private int checksum(int upTo) {
    crc.reset();
    direct.clear().limit(upTo);
    crc.update(direct);
    return (int) crc.getValue();
  }
}
