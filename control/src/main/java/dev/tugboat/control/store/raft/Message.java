package dev.tugboat.control.store.raft;

import java.util.List;
import java.util.Objects;

/**
 * One message between members. Fields a type does not use are zero, empty or null.
 *
 * @param type       what the message asks or answers
 * @param to         the receiving member
 * @param from       the sending member
 * @param term       the sender's term (for PRE_VOTE: the term it would campaign in; for responses to it: that term
 *                   if granted)
 * @param logTerm    APPEND: term of the entry at {@code index}; VOTE, PRE_VOTE: term of the candidate's last entry
 * @param index      APPEND: index preceding {@code entries}; APPEND_RESPONSE: highest matched index, or the
 *                   rejected index; VOTE, PRE_VOTE: candidate's last index; READ_INDEX_RESPONSE: the read index;
 *                   HEARTBEAT: the leader's clock (ticks) when sent, echoed by HEARTBEAT_RESPONSE for the leader
 *                   lease; TRANSFER_LEADER: the member to hand leadership to
 * @param entries    APPEND, PROPOSE: the entries
 * @param commit     APPEND, HEARTBEAT: the leader's commit index
 * @param snapshot   SNAPSHOT: the snapshot to install; null otherwise
 * @param reject     responses: the request was refused
 * @param rejectHint APPEND_RESPONSE when rejected: the follower's guess of an index where logs may match
 * @param logTermHint APPEND_RESPONSE when rejected: the follower's term at {@code rejectHint}
 * @param context    READ_INDEX, READ_INDEX_RESPONSE, HEARTBEAT(_RESPONSE): the read request id; VOTE: non-empty
 *                   when the campaign is a leadership transfer (voters then ignore the leader lease)
 */
public record Message(MessageType type, long to, long from, long term, long logTerm, long index, List<Entry> entries,
                      long commit, Snapshot snapshot, boolean reject, long rejectHint, long logTermHint,
                      byte[] context) {

    static final byte[] NO_CONTEXT = new byte[0];

    public Message {
        Objects.requireNonNull(type, "Message.type");
        entries = entries == null ? List.of() : entries;
        context = context == null ? NO_CONTEXT : context;
    }

    public static Builder builder(MessageType type) {
        return new Builder(type);
    }

    /** A copy addressed from {@code from} to {@code to}. */
    Message withRoute(long from, long to, long term) {
        return new Message(type, to, from, term, logTerm, index, entries, commit, snapshot, reject, rejectHint,
            logTermHint, context);
    }

    /** Total {@link Entry#sizeBytes()} of the entries. */
    public long entriesSizeBytes() {
        long size = 0;
        for (Entry e : entries) {
            size += e.sizeBytes();
        }
        return size;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(type).append(' ').append(from).append("->").append(to)
            .append(" t").append(term);
        if (logTerm != 0 || index != 0) s.append(" idx=").append(index).append('@').append(logTerm);
        if (!entries.isEmpty()) s.append(" ents=").append(entries.get(0).index()).append("..")
            .append(entries.get(entries.size() - 1).index());
        if (commit != 0) s.append(" commit=").append(commit);
        if (reject) s.append(" REJECT hint=").append(rejectHint).append('@').append(logTermHint);
        if (snapshot != null) s.append(' ').append(snapshot);
        if (context.length > 0) s.append(" ctx=").append(context.length).append('B');
        return s.toString();
    }

    /** Builds a message field by field; unset fields stay zero, empty or null. */
    public static final class Builder {
        private final MessageType type;
        private long to;
        private long from;
        private long term;
        private long logTerm;
        private long index;
        private List<Entry> entries = List.of();
        private long commit;
        private Snapshot snapshot;
        private boolean reject;
        private long rejectHint;
        private long logTermHint;
        private byte[] context = NO_CONTEXT;

        private Builder(MessageType type) {
            this.type = type;
        }

        public Builder to(long to) { this.to = to; return this; }
        public Builder from(long from) { this.from = from; return this; }
        public Builder term(long term) { this.term = term; return this; }
        public Builder logTerm(long logTerm) { this.logTerm = logTerm; return this; }
        public Builder index(long index) { this.index = index; return this; }
        public Builder entries(List<Entry> entries) { this.entries = entries; return this; }
        public Builder commit(long commit) { this.commit = commit; return this; }
        public Builder snapshot(Snapshot snapshot) { this.snapshot = snapshot; return this; }
        public Builder reject(boolean reject) { this.reject = reject; return this; }
        public Builder rejectHint(long rejectHint) { this.rejectHint = rejectHint; return this; }
        public Builder logTermHint(long logTermHint) { this.logTermHint = logTermHint; return this; }
        public Builder context(byte[] context) { this.context = context; return this; }

        public Message build() {
            return new Message(type, to, from, term, logTerm, index, entries, commit, snapshot, reject, rejectHint,
                logTermHint, context);
        }
    }
}
