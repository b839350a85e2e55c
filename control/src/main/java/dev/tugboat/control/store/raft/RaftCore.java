package dev.tugboat.control.store.raft;

import java.util.random.RandomGenerator;

/**
 * One member's Raft state machine (API skeleton; the implementation follows in the next commit).
 */
public final class RaftCore {

    /** "No node": no leader known, no vote cast. */
    public static final long NONE = 0;

    public RaftCore(RaftConfig config, Storage storage, RandomGenerator random) {
        throw new UnsupportedOperationException("RaftCore: implementation in progress");
    }

    /** Advances the logical clock by one tick: election timeouts, heartbeats, check-quorum. */
    public void tick() { }

    /** Feeds one message received from a peer. Messages with a stale term or from non-members are ignored. */
    public void step(Message m) { }

    /** Starts an election now (pre-vote first if configured). */
    public void campaign() { }

    /** Proposes {@code data} for the log; throws {@link ProposalDroppedException} if it cannot be accepted. */
    public void propose(byte[] data) { }

    /** Proposes a configuration change; at most one may be pending (proposed but not applied) at a time. */
    public void proposeConfChange(ConfChange change) { }

    /** Asks for a linearizable read point; the answer comes as a {@link ReadState} with the same context. */
    public void readIndex(byte[] requestContext) { }

    /** Asks the leader to hand leadership to {@code transferee}. */
    public void transferLeadership(long transferee) { }

    /** Tells the leader that {@code id} could not be reached, so replication to it falls back to probing. */
    public void reportUnreachable(long id) { }

    /** Tells the leader how sending a snapshot to {@code id} ended. */
    public void reportSnapshot(long id, SnapshotStatus status) { }

    public boolean hasReady() { return false; }

    /** The work accumulated since the last {@link #advance}; call {@code advance} before asking again. */
    public Ready ready() { return null; }

    /** Acknowledges that everything {@code ready} asked for is done (persisted, sent, applied). */
    public void advance(Ready ready) { }

    public long id() { return 0; }
    public long term() { return 0; }
    public long leader() { return NONE; }
    public StateRole role() { return StateRole.FOLLOWER; }
    public long committedIndex() { return 0; }
    public long appliedIndex() { return 0; }
    public long lastIndex() { return 0; }
    /** The configuration in force: the latest applied, or the latest snapshot's. */
    public ConfState confState() { return ConfState.EMPTY; }
    /** Whether this leader may answer reads from its lease right now. */
    public boolean hasLeaderLease() { return false; }
}
