package dev.tugboat.control.store.raft;

import java.util.List;

/**
 * A batch of work the core hands to the driver. The driver does it in this order: send {@code earlyMessages} (or
 * send them later, with the others), persist {@code snapshot}, {@code entries} and {@code hardState} (atomically, or
 * in that order), then send {@code messages}, install
 * {@code snapshot} into the state machine, apply {@code committedEntries}, serve {@code readStates}; then calls
 * {@link RaftCore#advance(Ready)}.
 *
 * @param softState        who leads and this member's role, if changed since the last Ready (null if unchanged);
 *                         needs no persisting
 * @param hardState        term, vote and commit to save to stable storage BEFORE messages are sent (null if
 *                         unchanged)
 * @param entries          entries to append to stable storage BEFORE messages are sent; an entry at an index already
 *                         in storage replaces it and every entry after it
 * @param snapshot         a snapshot from the leader to save to stable storage BEFORE messages are sent and to install
 *                         into the state machine BEFORE committedEntries are applied (null if none)
 * @param committedEntries entries known committed, to apply to the state machine in order, AFTER entries of this same
 *                         Ready are persisted; CONF_CHANGE entries take effect in the core at {@code advance}
 * @param earlyMessages    a leader's APPEND, HEARTBEAT and SNAPSHOT messages, which may be sent BEFORE this Ready is
 *                         persisted, so that followers write to their disks while the leader writes to its own (as
 *                         etcd's leader does): they claim nothing about this member's disk, and the leader counts
 *                         its own entries toward commitment only once {@link RaftCore#advance} reports them
 *                         persisted. Empty when the term changed in this Ready (the term must be durable first).
 * @param messages         messages to send AFTER entries, hard state and snapshot of this Ready are persisted; any of
 *                         them may be lost, duplicated or reordered by the network without harm
 * @param readStates       reads confirmed linearizable: serve each from the state machine once it has applied
 *                         {@link ReadState#index()}
 * @param mustSync         whether entries or hard state must be fsynced (false when only the commit index moved,
 *                         which may be recovered from peers). When false, the driver may skip saving the hard state
 *                         altogether: a restart from an older commit index (never one past the log) only applies less
 *                         until the leader, or this member's own first commit as leader, tells it more.
 */
public record Ready(SoftState softState, HardState hardState, List<Entry> entries, Snapshot snapshot,
                    List<Entry> committedEntries, List<Message> earlyMessages, List<Message> messages, List<ReadState> readStates,
                    boolean mustSync) {

    public Ready {
        entries = List.copyOf(entries);
        committedEntries = List.copyOf(committedEntries);
        earlyMessages = List.copyOf(earlyMessages);
        messages = List.copyOf(messages);
        readStates = List.copyOf(readStates);
    }

    public boolean hasHardState() {
        return hardState != null;
    }

    public boolean hasSnapshot() {
        return snapshot != null;
    }

    /** Every message of this Ready, early ones first. */
    public List<Message> allMessages() {
        if (earlyMessages.isEmpty()) return messages;
        List<Message> all = new java.util.ArrayList<>(earlyMessages);
        all.addAll(messages);
        return all;
    }

    /** Whether anything must be persisted before the messages go out. */
    public boolean needsPersisting() {
        return hardState != null || snapshot != null || !entries.isEmpty();
    }
}
