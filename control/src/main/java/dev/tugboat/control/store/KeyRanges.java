package dev.tugboat.control.store;

/** The byte-string range conventions of the etcd API. */
public final class KeyRanges {
  /** A rangeEnd that names a single key. */
  public static final byte[] NONE = new byte[0];
  /** A rangeEnd meaning "every key from key on". */
  public static final byte[] ALL_FROM_KEY = {0};

  private KeyRanges() {}

  /** The smallest key greater than every key that starts with {@code prefix} ({@code "\0"} if there is none). */
  public static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    for (int i = end.length - 1; i >= 0; i--) {
      if (end[i] != (byte) 0xff) {
        end[i]++;
        return java.util.Arrays.copyOf(end, i + 1);
      }
    }
    return ALL_FROM_KEY;
  }
}
