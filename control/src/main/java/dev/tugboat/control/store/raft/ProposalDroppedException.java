package dev.tugboat.control.store.raft;

/**
 * A proposal, read index or transfer request could not be accepted (no known leader, a transfer in progress,
 * too much uncommitted data, a conf change already pending). The caller may retry, typically on the leader.
 */
public final class ProposalDroppedException extends RuntimeException {
    public ProposalDroppedException(String message) {
        super(message, null, false, false);
    }
}
