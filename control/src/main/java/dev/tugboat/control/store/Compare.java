package dev.tugboat.control.store;

/**
 * One guard of a transaction (etcd's {@code Compare}): {@code target} of every key in {@code [key, rangeEnd)}
 * compared by {@code result} against {@code number} (VERSION, CREATE, MOD, LEASE) or {@code value} (VALUE).
 * A missing key has version, create and mod revision 0 and compares VALUE as false.
 */
public record Compare(byte[] key, byte[] rangeEnd, Target target, Result result, long number, byte[] value) {

  public enum Target { VERSION, CREATE, MOD, VALUE, LEASE }

  public enum Result { EQUAL, GREATER, LESS, NOT_EQUAL }

  public static Compare modRevision(byte[] key, Result result, long revision) {
    return new Compare(key, KeyRanges.NONE, Target.MOD, result, revision, null);
  }

  public static Compare version(byte[] key, Result result, long version) {
    return new Compare(key, KeyRanges.NONE, Target.VERSION, result, version, null);
  }

  public static Compare value(byte[] key, Result result, byte[] value) {
    return new Compare(key, KeyRanges.NONE, Target.VALUE, result, 0, value);
  }
}
