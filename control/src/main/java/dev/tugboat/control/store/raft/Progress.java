package dev.tugboat.control.store.raft;

import java.util.ArrayDeque;

/**
 * The leader's view of one follower's log: how far it matches ({@code match}), what to send next ({@code next}),
 * and how to send it.
 *
 * <ul>
 *   <li>PROBE: the leader does not know where the logs match; it sends one APPEND and waits for the answer (or a
 *       heartbeat response) before sending the next.</li>
 *   <li>REPLICATE: the logs match; the leader streams APPENDs optimistically, up to the inflight window.</li>
 *   <li>SNAPSHOT: the follower needs entries already compacted away; the leader sent a snapshot and waits.</li>
 * </ul>
 */
final class Progress {

    enum State { PROBE, REPLICATE, SNAPSHOT }

    long match;
    long next;
    State state = State.PROBE;
    /** SNAPSHOT: the index of the snapshot sent. */
    long pendingSnapshot;
    /** SNAPSHOT: the leader clock reading when it was sent. */
    long snapshotSentTick;
    /** PROBE: an APPEND is out and unanswered, so no more are sent until a response or heartbeat response. */
    boolean probeSent;
    /** Heard from since the last check-quorum round (the leader itself always counts). */
    boolean recentActive;
    /** The leader clock reading of the latest heartbeat this follower acknowledged, for the leader lease. */
    long leaseAckTick = -1;
    /** The last index of each unacknowledged APPEND sent in REPLICATE state, oldest first. */
    final ArrayDeque<Long> inflights = new ArrayDeque<>();
    final int maxInflight;

    Progress(long next, int maxInflight) {
        this.next = next;
        this.maxInflight = maxInflight;
    }

    void becomeProbe() {
        if (state == State.SNAPSHOT) {
            long snap = pendingSnapshot;
            reset(State.PROBE);
            next = Math.max(match + 1, snap + 1);
        } else {
            reset(State.PROBE);
            next = match + 1;
        }
    }

    void becomeReplicate() {
        reset(State.REPLICATE);
        next = match + 1;
    }

    void becomeSnapshot(long snapshotIndex) {
        reset(State.SNAPSHOT);
        pendingSnapshot = snapshotIndex;
    }

    private void reset(State s) {
        state = s;
        probeSent = false;
        pendingSnapshot = 0;
        inflights.clear();
    }

    /** The follower acknowledged entries up to {@code n}; returns whether that was news. */
    boolean maybeUpdate(long n) {
        boolean updated = false;
        if (match < n) {
            match = n;
            updated = true;
            probeSent = false;
        }
        next = Math.max(next, n + 1);
        return updated;
    }

    /**
     * The follower rejected the APPEND after {@code rejected}; {@code matchHint} is where the logs may match.
     * Returns false if the rejection is stale (it answers an older APPEND).
     */
    boolean maybeDecreaseTo(long rejected, long matchHint) {
        if (state == State.REPLICATE) {
            if (rejected <= match) return false;
            next = match + 1;
            return true;
        }
        if (next - 1 != rejected) return false;
        next = Math.max(Math.min(rejected, matchHint + 1), match + 1);
        probeSent = false;
        return true;
    }

    /** Records that an APPEND ending at {@code lastIndex} went out. */
    void sentEntries(long lastIndex, int count) {
        if (state == State.REPLICATE) {
            if (count > 0) {
                next = lastIndex + 1;
                inflights.addLast(lastIndex);
            }
        } else if (state == State.PROBE) {
            probeSent = true;
        }
    }

    void freeInflightsUpTo(long index) {
        while (!inflights.isEmpty() && inflights.peekFirst() <= index) inflights.removeFirst();
    }

    boolean inflightsFull() {
        return inflights.size() >= maxInflight;
    }

    /** Whether the leader should hold back APPENDs to this follower for now. */
    boolean isPaused() {
        return switch (state) {
            case PROBE -> probeSent;
            case REPLICATE -> inflightsFull();
            case SNAPSHOT -> true;
        };
    }

    @Override
    public String toString() {
        return state + " match=" + match + " next=" + next + (probeSent ? " paused" : "")
            + (state == State.SNAPSHOT ? " snap=" + pendingSnapshot : "") + " inflight=" + inflights.size();
    }
}
