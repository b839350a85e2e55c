package dev.tugboat.control.store.raft;

/** The storage cannot hand out a snapshot right now (it is being made); the core asks again later. */
public final class SnapshotTemporarilyUnavailableException extends RuntimeException {
    public SnapshotTemporarilyUnavailableException(String why) {
        super("raft snapshot: temporarily unavailable: " + why, null, false, false);
    }
}
