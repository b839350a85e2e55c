package dev.tugboat.control.store.raft;

/**
 * Every message kind the core exchanges with its peers. Local-only kinds never leave a member; the driver never
 * builds them (it calls the matching {@link RaftCore} method instead).
 */
public enum MessageType {
    /** Leader to follower: entries after ({@code index}, {@code logTerm}), and the leader's commit index. */
    APPEND,
    /** Follower to leader: accepted up to {@code index}, or rejected ({@code reject}) with a hint where logs may match. */
    APPEND_RESPONSE,
    /** Candidate to voter: vote for me in {@code term}; my last entry is ({@code index}, {@code logTerm}). */
    VOTE,
    VOTE_RESPONSE,
    /** Like VOTE for the next term, but nobody changes their term: would you vote for me? */
    PRE_VOTE,
    PRE_VOTE_RESPONSE,
    /** Leader to follower: I still lead; commit up to {@code commit} (bounded by what you matched). */
    HEARTBEAT,
    HEARTBEAT_RESPONSE,
    /** Leader to follower: install {@code snapshot} (the application data is attached by the driver). */
    SNAPSHOT,
    /** Follower to leader: please propose these entries (proposal forwarding). */
    PROPOSE,
    /** Follower to leader: please confirm a read index for {@code context} (the first entry's data). */
    READ_INDEX,
    /** Leader to follower: the read index for {@code context} is {@code index}. */
    READ_INDEX_RESPONSE,
    /** Anyone to the leader: hand leadership to member {@code index}. */
    TRANSFER_LEADER,
    /** Leader to the transfer target: campaign now, even inside the leader's lease. */
    TIMEOUT_NOW
}
