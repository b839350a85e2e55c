package dev.tugboat.control.store.raft;

/** A log read asked for an index that a snapshot has already compacted away. */
public final class LogCompactedException extends RuntimeException {
    public LogCompactedException(long index, long firstIndex) {
        super("raft log: index " + index + " is compacted (first index " + firstIndex + ")", null, false, false);
    }
}
