package dev.tugboat.control.store.raft;

/** How the leader confirms it still leads before answering a {@link RaftCore#readIndex} request. */
public enum ReadOnlyOption {
    /** A heartbeat round acknowledged by a quorum confirms leadership for each read batch. Always safe. */
    SAFE,
    /**
     * The leader answers from its lease: it heard from a quorum within the election timeout, and with
     * check-quorum on nobody else can have been elected meanwhile. Safe only while clocks drift less than the
     * lease margin; requires {@link RaftConfig#checkQuorum}.
     */
    LEASE_BASED
}
