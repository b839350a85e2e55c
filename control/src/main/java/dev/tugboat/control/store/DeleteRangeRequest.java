package dev.tugboat.control.store;

/** Deletes {@code [key, rangeEnd)} with the same range rules as {@link RangeRequest}. */
public record DeleteRangeRequest(byte[] key, byte[] rangeEnd, boolean prevKv) implements Op {

  public static DeleteRangeRequest key(byte[] key) {
    return new DeleteRangeRequest(key, KeyRanges.NONE, false);
  }
}
