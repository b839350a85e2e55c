package dev.tugboat.control.store;

/**
 * A request the store refused, with the etcd error it corresponds to, so the gRPC layer can answer exactly as etcd
 * does ({@code etcdserver: mvcc: required revision has been compacted}) and the API server can map it (410 Gone).
 */
public class StoreException extends RuntimeException {

  public enum Code {
    COMPACTED, FUTURE_REVISION, LEASE_NOT_FOUND, LEASE_EXISTS, REQUEST_TOO_LARGE, TOO_MANY_OPS,
    DUPLICATE_KEY, NO_LEADER, TIMEOUT, STOPPED, INVALID_ARGUMENT, MEMBER_NOT_FOUND, CORRUPT,
    // Added with the store implementation: etcd answers each of these with its own message.
    KEY_NOT_FOUND, EMPTY_KEY, VALUE_PROVIDED, LEASE_PROVIDED, LEASE_TTL_TOO_LARGE,
    // Membership changes: etcd's Cluster service errors.
    MEMBER_EXISTS, PEER_URL_EXISTS, MEMBER_BAD_URLS, MEMBER_NOT_LEARNER, LEARNER_NOT_READY, TOO_MANY_LEARNERS,
    NOT_ENOUGH_STARTED_MEMBERS, NOT_LEADER
  }

  private final Code code;
  private final long compactRevision;

  public StoreException(Code code, String message) {
    this(code, message, 0, null);
  }

  public StoreException(Code code, String message, long compactRevision, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.compactRevision = compactRevision;
  }

  public static StoreException compacted(long requested, long compactRevision) {
    return new StoreException(Code.COMPACTED,
        "mvcc: required revision " + requested + " has been compacted (compact revision " + compactRevision + ")",
        compactRevision, null);
  }

  public Code code() {
    return code;
  }

  /** The store's compact revision, for {@link Code#COMPACTED}; 0 otherwise. */
  public long compactRevision() {
    return compactRevision;
  }
}
