package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.EntryType;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The wire form of a Raft {@link Message}: fixed fields at fixed offsets, then the variable parts, little endian.
 *
 * <pre>
 *  0 type byte | 1 reject byte | 2 flags short (bit 0: snapshot present) | 4 entry count int
 *  8 to | 16 from | 24 term | 32 logTerm | 40 index | 48 commit | 56 rejectHint | 64 logTermHint   (longs)
 * 72 context: int length + bytes
 *    entries:  each index long, term long, type byte, data int length + bytes
 *    snapshot: index long, term long, voter count int + longs, learner count int + longs, data int length + bytes
 * </pre>
 */
public final class MessageCodec {
  private static final MessageType[] MESSAGE_TYPES = MessageType.values();
  private static final EntryType[] ENTRY_TYPES = EntryType.values();

  private static final int TYPE_OFFSET = 0;
  private static final int REJECT_OFFSET = 1;
  private static final int FLAGS_OFFSET = 2;
  private static final int ENTRY_COUNT_OFFSET = 4;
  private static final int TO_OFFSET = 8;
  private static final int FROM_OFFSET = 16;
  private static final int TERM_OFFSET = 24;
  private static final int LOG_TERM_OFFSET = 32;
  private static final int INDEX_OFFSET = 40;
  private static final int COMMIT_OFFSET = 48;
  private static final int REJECT_HINT_OFFSET = 56;
  private static final int LOG_TERM_HINT_OFFSET = 64;
  private static final int FIXED_LENGTH = 72;
  private static final int ENTRY_HEADER_LENGTH = 8 + 8 + 1 + 4;
  private static final short FLAG_SNAPSHOT = 1;

  private MessageCodec() {}

  /** An upper bound of the encoded length, for sizing the buffer before {@link #encode}. */
  public static int maxEncodedLength(Message m) {
    long length = FIXED_LENGTH + 4 + m.context().length;
    for (Entry e : m.entries()) {
      length += ENTRY_HEADER_LENGTH + e.data().length;
    }
    Snapshot s = m.snapshot();
    if (s != null) {
      ConfState conf = s.metadata().confState();
      length += 16 + 4 + 8L * conf.voters().size() + 4 + 8L * conf.learners().size() + 4 + s.data().length;
    }
    if (length > Integer.MAX_VALUE - 64) {
      throw new IllegalArgumentException("raft message " + m + ": too large to encode (" + length + " bytes)");
    }
    return (int) length;
  }

  /** Writes {@code m} at {@code offset} and returns the number of bytes written. */
  public static int encode(Message m, MutableDirectBuffer buffer, int offset) {
    buffer.putByte(offset + TYPE_OFFSET, (byte) m.type().ordinal());
    buffer.putByte(offset + REJECT_OFFSET, (byte) (m.reject() ? 1 : 0));
    buffer.putShort(offset + FLAGS_OFFSET, m.snapshot() != null ? FLAG_SNAPSHOT : 0);
    buffer.putInt(offset + ENTRY_COUNT_OFFSET, m.entries().size());
    buffer.putLong(offset + TO_OFFSET, m.to());
    buffer.putLong(offset + FROM_OFFSET, m.from());
    buffer.putLong(offset + TERM_OFFSET, m.term());
    buffer.putLong(offset + LOG_TERM_OFFSET, m.logTerm());
    buffer.putLong(offset + INDEX_OFFSET, m.index());
    buffer.putLong(offset + COMMIT_OFFSET, m.commit());
    buffer.putLong(offset + REJECT_HINT_OFFSET, m.rejectHint());
    buffer.putLong(offset + LOG_TERM_HINT_OFFSET, m.logTermHint());
    int at = offset + FIXED_LENGTH;
    at = putBytes(buffer, at, m.context());
    for (Entry e : m.entries()) {
      buffer.putLong(at, e.index());
      buffer.putLong(at + 8, e.term());
      buffer.putByte(at + 16, (byte) e.type().ordinal());
      at = putBytes(buffer, at + 17, e.data());
    }
    Snapshot s = m.snapshot();
    if (s != null) {
      buffer.putLong(at, s.metadata().index());
      buffer.putLong(at + 8, s.metadata().term());
      at = putLongs(buffer, at + 16, s.metadata().confState().voters());
      at = putLongs(buffer, at, s.metadata().confState().learners());
      at = putBytes(buffer, at, s.data());
    }
    return at - offset;
  }

  /** Reads the message of {@code length} bytes at {@code offset}; throws {@link IllegalArgumentException} if bad. */
  public static Message decode(DirectBuffer buffer, int offset, int length) {
    Reader in = new Reader(buffer, offset, length);
    int typeOrdinal = in.byteAt(TYPE_OFFSET);
    if (typeOrdinal < 0 || typeOrdinal >= MESSAGE_TYPES.length) {
      throw new IllegalArgumentException("raft message: unknown type " + typeOrdinal);
    }
    boolean reject = in.byteAt(REJECT_OFFSET) != 0;
    boolean hasSnapshot = (in.shortAt(FLAGS_OFFSET) & FLAG_SNAPSHOT) != 0;
    int entryCount = in.intAt(ENTRY_COUNT_OFFSET);
    in.position = FIXED_LENGTH;
    byte[] context = in.bytes();
    if (entryCount < 0 || entryCount > length / ENTRY_HEADER_LENGTH) {
      throw new IllegalArgumentException("raft message: entry count " + entryCount + " does not fit " + length
          + " bytes");
    }
    List<Entry> entries = new ArrayList<>(entryCount);
    for (int i = 0; i < entryCount; i++) {
      long index = in.nextLong();
      long term = in.nextLong();
      int entryType = in.nextByte();
      if (entryType < 0 || entryType >= ENTRY_TYPES.length) {
        throw new IllegalArgumentException("raft message: entry " + index + ": unknown type " + entryType);
      }
      entries.add(new Entry(index, term, ENTRY_TYPES[entryType], in.bytes()));
    }
    Snapshot snapshot = null;
    if (hasSnapshot) {
      long index = in.nextLong();
      long term = in.nextLong();
      List<Long> voters = in.longs();
      List<Long> learners = in.longs();
      snapshot = new Snapshot(new SnapshotMetadata(index, term, new ConfState(voters, learners)), in.bytes());
    }
    if (in.position != length) {
      throw new IllegalArgumentException("raft message: " + (length - in.position) + " bytes left over");
    }
    return new Message(MESSAGE_TYPES[typeOrdinal], in.longAt(TO_OFFSET), in.longAt(FROM_OFFSET),
        in.longAt(TERM_OFFSET), in.longAt(LOG_TERM_OFFSET), in.longAt(INDEX_OFFSET), entries,
        in.longAt(COMMIT_OFFSET), snapshot, reject, in.longAt(REJECT_HINT_OFFSET), in.longAt(LOG_TERM_HINT_OFFSET),
        context);
  }

  private static int putBytes(MutableDirectBuffer buffer, int at, byte[] bytes) {
    buffer.putInt(at, bytes.length);
    buffer.putBytes(at + 4, bytes);
    return at + 4 + bytes.length;
  }

  private static int putLongs(MutableDirectBuffer buffer, int at, List<Long> values) {
    buffer.putInt(at, values.size());
    at += 4;
    for (long v : values) {
      buffer.putLong(at, v);
      at += 8;
    }
    return at;
  }

  /** Bounds-checked reads inside one message, so a damaged frame fails with a message instead of garbage. */
  private static final class Reader {
    private final DirectBuffer buffer;
    private final int offset;
    private final int length;
    int position;

    Reader(DirectBuffer buffer, int offset, int length) {
      if (length < FIXED_LENGTH) {
        throw new IllegalArgumentException("raft message: " + length + " bytes is shorter than its header");
      }
      this.buffer = buffer;
      this.offset = offset;
      this.length = length;
    }

    private void need(int at, int n) {
      if (n < 0 || at + n > length) {
        throw new IllegalArgumentException("raft message: field at " + at + " of " + n + " bytes runs past its "
            + length + " bytes");
      }
    }

    byte byteAt(int at) {
      return buffer.getByte(offset + at);
    }

    short shortAt(int at) {
      return buffer.getShort(offset + at);
    }

    int intAt(int at) {
      return buffer.getInt(offset + at);
    }

    long longAt(int at) {
      return buffer.getLong(offset + at);
    }

    int nextByte() {
      need(position, 1);
      return buffer.getByte(offset + position++);
    }

    int nextInt() {
      need(position, 4);
      int v = buffer.getInt(offset + position);
      position += 4;
      return v;
    }

    long nextLong() {
      need(position, 8);
      long v = buffer.getLong(offset + position);
      position += 8;
      return v;
    }

    byte[] bytes() {
      int n = nextInt();
      need(position, n);
      byte[] bytes = new byte[n];
      buffer.getBytes(offset + position, bytes);
      position += n;
      return bytes;
    }

    List<Long> longs() {
      int n = nextInt();
      if (n < 0 || (long) n * 8 > length - position) {
        throw new IllegalArgumentException("raft message: " + n + " ids at " + position + " run past its " + length
            + " bytes");
      }
      List<Long> values = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        values.add(nextLong());
      }
      return values;
    }
  }
}
