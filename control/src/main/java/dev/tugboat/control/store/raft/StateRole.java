package dev.tugboat.control.store.raft;

/** The role a member plays in its current term. */
public enum StateRole {
    FOLLOWER,
    /** Polling voters with pre-votes before disturbing anyone by raising the term. */
    PRE_CANDIDATE,
    CANDIDATE,
    LEADER
}
