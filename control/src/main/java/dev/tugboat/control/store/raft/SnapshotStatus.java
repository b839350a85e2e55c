package dev.tugboat.control.store.raft;

/** The outcome of sending a snapshot to a follower, reported by the driver through {@link RaftCore#reportSnapshot}. */
public enum SnapshotStatus {
    FINISHED,
    FAILED
}
