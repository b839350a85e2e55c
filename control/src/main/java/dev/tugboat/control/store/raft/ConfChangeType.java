package dev.tugboat.control.store.raft;

/** The kinds of single-member configuration change. */
public enum ConfChangeType {
    /** Adds a voter, or promotes an existing learner to voter. */
    ADD_VOTER,
    /** Adds a learner; a no-op for a node that already votes (demotion is remove then add). */
    ADD_LEARNER,
    /** Removes a voter or learner. */
    REMOVE_NODE,
    /** Leaves the configuration as it is: carries new facts about a member (its addresses) in its context. */
    UPDATE_NODE
}
