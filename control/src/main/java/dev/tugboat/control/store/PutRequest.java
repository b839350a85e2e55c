package dev.tugboat.control.store;

/** Writes {@code value} at {@code key}, attached to {@code lease} (0 for none); {@code prevKv} asks for the old value. */
public record PutRequest(byte[] key, byte[] value, long lease, boolean prevKv, boolean ignoreValue, boolean ignoreLease)
    implements Op {

  public static PutRequest of(byte[] key, byte[] value) {
    return new PutRequest(key, value, 0, false, false, false);
  }
}
