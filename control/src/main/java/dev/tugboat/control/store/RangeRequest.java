package dev.tugboat.control.store;

/**
 * Reads {@code [key, rangeEnd)}. An empty {@code rangeEnd} reads the single key; {@code "\0"} reads every key
 * {@code >= key}. {@code revision <= 0} reads the newest revision. {@code limit <= 0} means no limit.
 * {@code serializable} allows a possibly stale local read instead of a linearizable one.
 */
public record RangeRequest(byte[] key, byte[] rangeEnd, long limit, long revision,
                           boolean keysOnly, boolean countOnly, boolean serializable) implements Op {

  public static RangeRequest key(byte[] key) {
    return new RangeRequest(key, KeyRanges.NONE, 0, 0, false, false, false);
  }

  public static RangeRequest prefix(byte[] prefix) {
    return new RangeRequest(prefix, KeyRanges.prefixEnd(prefix), 0, 0, false, false, false);
  }

  public RangeRequest withLimit(long newLimit) {
    return new RangeRequest(key, rangeEnd, newLimit, revision, keysOnly, countOnly, serializable);
  }

  public RangeRequest atRevision(long newRevision) {
    return new RangeRequest(key, rangeEnd, limit, newRevision, keysOnly, countOnly, serializable);
  }
}
