package dev.tugboat.control.store.mvcc;

/**
 * One revision of one key. {@code revision} packs the main revision (the write transaction) and the sub-revision
 * (the change's position inside it) as {@code main << SUB_BITS | sub}, so history sorts in apply order with one long.
 * The value lives in the {@link ValueArena} at {@code valueRef}, {@code valueLength} bytes long.
 * {@code version == 0} marks a deletion (a tombstone), which has no value, create revision or lease.
 *
 * <p>A store holds one entry per key version, millions of them, so their size is most of the heap. Three shapes
 * keep each as small as it can be (object header included): a tombstone holds its revision (24 bytes); a key's
 * first version without a lease, the common case, holds its revision and value (32 bytes), as its create revision
 * is its own and its version 1; any other holds every number (56 bytes). The value's chunk, offset and length share
 * one long.
 */
abstract sealed class Entry permits Entry.Tombstone, Entry.Created, Entry.Full {

  /** Bits for the sub-revision: one write transaction may change up to 16 million keys. */
  static final int SUB_BITS = 24;
  static final long MAX_SUB = (1L << SUB_BITS) - 1;
  static final byte[] NO_VALUE = new byte[0];
  /** What a compare meets for a key that does not exist: every number zero, no value. */
  static final Entry ABSENT = new Tombstone(0);

  // The value's place, packed: chunk slot | offset in the chunk | length. A chunk holds 1 MiB of small values, or
  // one large value at offset 0; a value is at most a request's size (1.5 MiB).
  private static final int LENGTH_BITS = 22;
  private static final int OFFSET_BITS = 20;
  private static final int SLOT_BITS = 64 - LENGTH_BITS - OFFSET_BITS;

  private final long revision;

  private Entry(long revision) {
    this.revision = revision;
  }

  /** An entry with these numbers, in the smallest shape that holds them. */
  static Entry of(long revision, long createRevision, long version, long lease, long valueRef, int valueLength) {
    if (version == 0 && createRevision == 0 && lease == 0 && valueLength == 0) {
      return new Tombstone(revision);
    }
    long value = packValue(valueRef, valueLength);
    if (version == 1 && lease == 0 && createRevision == revision >>> SUB_BITS) {
      return new Created(revision, value);
    }
    return new Full(revision, createRevision, version, lease, value);
  }

  static long pack(long main, long sub) {
    return main << SUB_BITS | sub;
  }

  static Entry tombstone(long revision) {
    return new Tombstone(revision);
  }

  private static long packValue(long ref, int length) {
    long slot = ref >>> 32;
    long offset = ref & 0xffffffffL;
    if (slot >= 1L << SLOT_BITS || offset >= 1L << OFFSET_BITS || length < 0 || length >= 1 << LENGTH_BITS) {
      throw new IllegalArgumentException("value reference " + Long.toHexString(ref) + " of " + length
          + " bytes does not fit an entry");
    }
    return slot << (OFFSET_BITS + LENGTH_BITS) | offset << LENGTH_BITS | length;
  }

  final long revision() {
    return revision;
  }

  abstract long createRevision();

  abstract long version();

  abstract long lease();

  /** The value's packed place (see {@link #packValue}); 0 for no value. */
  abstract long value();

  final long valueRef() {
    long value = value();
    return (value >>> (OFFSET_BITS + LENGTH_BITS)) << 32 | (value >>> LENGTH_BITS) & ((1L << OFFSET_BITS) - 1);
  }

  final int valueLength() {
    return (int) (value() & ((1L << LENGTH_BITS) - 1));
  }

  final long modRevision() {
    return revision >>> SUB_BITS;
  }

  final boolean isTombstone() {
    return version() == 0;
  }

  /** The same entry with its value moved to {@code ref}. */
  final Entry movedTo(long ref) {
    return of(revision, createRevision(), version(), lease(), ref, valueLength());
  }

  @Override
  public final boolean equals(Object o) {
    return o instanceof Entry e && e.revision == revision && e.createRevision() == createRevision()
        && e.version() == version() && e.lease() == lease() && e.value() == value();
  }

  @Override
  public final int hashCode() {
    return Long.hashCode(revision) * 31 + Long.hashCode(value());
  }

  @Override
  public final String toString() {
    return "Entry[revision=" + revision + ", createRevision=" + createRevision() + ", version=" + version()
        + ", lease=" + lease() + ", valueRef=" + valueRef() + ", valueLength=" + valueLength() + "]";
  }

  static final class Tombstone extends Entry {
    private Tombstone(long revision) {
      super(revision);
    }

    @Override
    long createRevision() {
      return 0;
    }

    @Override
    long version() {
      return 0;
    }

    @Override
    long lease() {
      return 0;
    }

    @Override
    long value() {
      return 0;
    }
  }

  static final class Created extends Entry {
    private final long value;

    private Created(long revision, long value) {
      super(revision);
      this.value = value;
    }

    @Override
    long createRevision() {
      return modRevision();
    }

    @Override
    long version() {
      return 1;
    }

    @Override
    long lease() {
      return 0;
    }

    @Override
    long value() {
      return value;
    }
  }

  static final class Full extends Entry {
    private final long createRevision;
    private final long version;
    private final long lease;
    private final long value;

    private Full(long revision, long createRevision, long version, long lease, long value) {
      super(revision);
      this.createRevision = createRevision;
      this.version = version;
      this.lease = lease;
      this.value = value;
    }

    @Override
    long createRevision() {
      return createRevision;
    }

    @Override
    long version() {
      return version;
    }

    @Override
    long lease() {
      return lease;
    }

    @Override
    long value() {
      return value;
    }
  }
}
