package dev.tugboat.control.store.raft;

/** A log read asked for an index beyond the last entry. */
public final class LogUnavailableException extends RuntimeException {
    public LogUnavailableException(long index, long lastIndex) {
        super("raft log: index " + index + " is beyond the last index " + lastIndex, null, false, false);
    }
}
