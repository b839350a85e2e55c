package dev.tugboat.control.store.raft;

/**
 * One client operation on a key-value register, as a history records it: a put of {@code value}, or a get that
 * returned {@code value} (null for a missing key). {@code returned} is {@link Long#MAX_VALUE} while the outcome is
 * unknown (a write that timed out may or may not have taken effect).
 */
record KvOperation(long client, boolean isPut, String key, String value, long invoked, long returned) {

    static final long UNKNOWN = Long.MAX_VALUE;

    static KvOperation put(long client, String key, String value, long invoked, long returned) {
        return new KvOperation(client, true, key, value, invoked, returned);
    }

    static KvOperation get(long client, String key, String value, long invoked, long returned) {
        return new KvOperation(client, false, key, value, invoked, returned);
    }

    @Override
    public String toString() {
        return "c" + client + " " + (isPut ? "put(" + key + "," + value + ")" : "get(" + key + ")=" + value) + " ["
            + invoked + "," + (returned == UNKNOWN ? "?" : returned) + "]";
    }
}
