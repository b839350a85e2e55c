package dev.tugboat.control.store.mvcc;

/**
 * One revision of one key. {@code revision} packs the main revision (the write transaction) and the sub-revision
 * (the change's position inside it) as {@code main << SUB_BITS | sub}, so history sorts in apply order with one long.
 * The value lives in the {@link ValueArena} at {@code valueRef}, {@code valueLength} bytes long.
 * {@code version == 0} marks a deletion (a tombstone), which has no value, create revision or lease.
 */
record Entry(long revision, long createRevision, long version, long lease, long valueRef, int valueLength) {

  /** Bits for the sub-revision: one write transaction may change up to 16 million keys. */
  static final int SUB_BITS = 24;
  static final long MAX_SUB = (1L << SUB_BITS) - 1;
  static final byte[] NO_VALUE = new byte[0];
  /** What a compare meets for a key that does not exist: every number zero, no value. */
  static final Entry ABSENT = new Entry(0, 0, 0, 0, 0, 0);

  static long pack(long main, long sub) {
    return main << SUB_BITS | sub;
  }

  static Entry tombstone(long revision) {
    return new Entry(revision, 0, 0, 0, 0, 0);
  }

  long modRevision() {
    return revision >>> SUB_BITS;
  }

  boolean isTombstone() {
    return version == 0;
  }

  /** The same entry with its value moved to {@code ref}. */
  Entry movedTo(long ref) {
    return new Entry(revision, createRevision, version, lease, ref, valueLength);
  }
}
