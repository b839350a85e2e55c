package dev.tugboat.control.store.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * The log as the core sees it: the durable part in {@link Storage}, followed by the unstable part (a snapshot
 * and/or entries handed out in a {@link Ready} but not yet acknowledged as persisted).
 *
 * <p>Invariants: {@code applied <= committed <= lastIndex()}; unstable entries start at {@code unstableOffset};
 * an unstable snapshot, if any, ends at {@code unstableOffset - 1}.
 */
final class RaftLog {

    private final Storage storage;
    private Snapshot unstableSnapshot;
    private final ArrayList<Entry> unstable = new ArrayList<>();
    private long unstableOffset;
    long committed;
    long applied;

    RaftLog(Storage storage) {
        this.storage = storage;
        this.unstableOffset = storage.lastIndex() + 1;
        // The state machine restarts from the latest snapshot, which may lie after the compaction point (the
        // driver keeps some entries before it for slow followers).
        long snapshotIndex = storage.firstIndex() - 1;
        try {
            snapshotIndex = Math.max(snapshotIndex, storage.snapshotMetadata().index());
        } catch (SnapshotTemporarilyUnavailableException e) {
            // only the compaction point is known
        }
        this.committed = snapshotIndex;
        this.applied = snapshotIndex;
    }

    long firstIndex() {
        return unstableSnapshot != null ? unstableSnapshot.metadata().index() + 1 : storage.firstIndex();
    }

    long lastIndex() {
        if (!unstable.isEmpty()) return unstableOffset + unstable.size() - 1;
        if (unstableSnapshot != null) return unstableSnapshot.metadata().index();
        return storage.lastIndex();
    }

    long lastTerm() {
        return term(lastIndex());
    }

    /** The term at {@code index}, or 0 if it is compacted away or beyond the end (never a real term). */
    long term(long index) {
        if (index < firstIndex() - 1 || index > lastIndex()) return 0;
        if (index >= unstableOffset && !unstable.isEmpty()) {
            return unstable.get((int) (index - unstableOffset)).term();
        }
        if (unstableSnapshot != null && index == unstableSnapshot.metadata().index()) {
            return unstableSnapshot.metadata().term();
        }
        try {
            return storage.term(index);
        } catch (LogCompactedException | LogUnavailableException e) {
            return 0;
        }
    }

    boolean matchTerm(long index, long term) {
        long t = term(index);
        return t != 0 ? t == term : index == 0 && term == 0;
    }

    /** Raft's "at least as up to date" rule for granting votes. */
    boolean isUpToDate(long lastIndex, long lastTerm) {
        long myTerm = lastTerm();
        return lastTerm > myTerm || (lastTerm == myTerm && lastIndex >= lastIndex());
    }

    /**
     * Appends the leader's entries that follow ({@code index}, {@code logTerm}) if the log matches there.
     *
     * @return the index of the last new entry, or -1 if the log does not match at {@code index}
     */
    long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> entries) {
        if (!matchTerm(index, logTerm)) return -1;
        long lastNew = index + entries.size();
        long conflict = findConflict(entries);
        if (conflict != 0) {
            if (conflict <= committed) {
                throw new IllegalStateException("raft log: entry " + conflict + " conflicts with the committed log"
                    + " (committed " + committed + ")");
            }
            append(entries.subList((int) (conflict - index - 1), entries.size()));
        }
        commitTo(Math.min(leaderCommit, lastNew));
        return lastNew;
    }

    /** The first index where {@code entries} disagree with or extend the log; 0 if all are already present. */
    private long findConflict(List<Entry> entries) {
        for (Entry e : entries) {
            if (!matchTerm(e.index(), e.term())) return e.index();
        }
        return 0;
    }

    /**
     * The largest index at or below {@code index} whose term is at most {@code term} (0 if none), so a leader can
     * skip a whole term of mismatching entries in one probe.
     */
    long findConflictByTerm(long index, long term) {
        long first = firstIndex() - 1;
        for (long i = Math.min(index, lastIndex()); i > first; i--) {
            long t = term(i);
            if (t <= term) return i;
        }
        return first;
    }

    /** Appends entries, replacing any unstable or stored suffix from the first one's index on. */
    long append(List<Entry> entries) {
        if (entries.isEmpty()) return lastIndex();
        long after = entries.get(0).index();
        if (after <= committed) {
            throw new IllegalStateException("raft log: cannot overwrite committed entry " + after
                + " (committed " + committed + ")");
        }
        if (after == unstableOffset + unstable.size()) {
            unstable.addAll(entries);
        } else if (after <= unstableOffset) {
            // Replaces entries already handed to storage; the driver truncates them when persisting.
            unstableOffset = after;
            unstable.clear();
            unstable.addAll(entries);
        } else {
            while (unstable.size() > after - unstableOffset) unstable.remove(unstable.size() - 1);
            unstable.addAll(entries);
        }
        return lastIndex();
    }

    /** Entries in [lo, hi) up to {@code maxSizeBytes} (at least one), from storage and then the unstable part. */
    List<Entry> slice(long lo, long hi, long maxSizeBytes) {
        if (lo >= hi) return List.of();
        if (lo < firstIndex()) throw new LogCompactedException(lo, firstIndex());
        if (hi > lastIndex() + 1) throw new LogUnavailableException(hi - 1, lastIndex());
        List<Entry> out = new ArrayList<>();
        long size = 0;
        if (lo < unstableOffset) {
            List<Entry> stored = storage.entries(lo, Math.min(hi, unstableOffset), maxSizeBytes);
            for (Entry e : stored) size += e.sizeBytes();
            out.addAll(stored);
            if (stored.size() < Math.min(hi, unstableOffset) - lo) return out;
        }
        for (long i = Math.max(lo, unstableOffset); i < hi; i++) {
            Entry e = unstable.get((int) (i - unstableOffset));
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxSizeBytes) break;
            out.add(e);
        }
        return out;
    }

    void commitTo(long index) {
        if (index > committed) {
            if (index > lastIndex()) {
                throw new IllegalStateException("raft log: commit " + index + " is beyond the last index "
                    + lastIndex());
            }
            committed = index;
        }
    }

    /** Raises the commit index to {@code index} if that entry is from {@code term} (a leader commits only its own). */
    boolean maybeCommit(long index, long term) {
        if (index > committed && term(index) == term) {
            commitTo(index);
            return true;
        }
        return false;
    }

    /** The last index of the log that is in storage and stays in it (not about to be replaced); 0 if none. */
    long persistedLastIndex() {
        if (unstableSnapshot != null) return 0;
        return unstable.isEmpty() ? lastIndex() : unstableOffset - 1;
    }

    List<Entry> unstableEntries() {
        return List.copyOf(unstable);
    }

    boolean hasUnstableEntries() {
        return !unstable.isEmpty();
    }

    Snapshot unstableSnapshot() {
        return unstableSnapshot;
    }

    /** Committed entries not yet applied, none while a snapshot waits to be installed. */
    List<Entry> nextCommittedEntries(long maxSizeBytes) {
        if (unstableSnapshot != null) return List.of();
        long lo = Math.max(applied + 1, firstIndex());
        if (committed < lo) return List.of();
        return slice(lo, committed + 1, maxSizeBytes);
    }

    boolean hasNextCommittedEntries() {
        return unstableSnapshot == null && committed > applied;
    }

    void appliedTo(long index) {
        if (index > applied) applied = index;
    }

    /** The driver persisted entries up to ({@code index}, {@code term}); stale acknowledgements are ignored. */
    void stableTo(long index, long term) {
        if (unstable.isEmpty() || index < unstableOffset) return;
        long last = unstableOffset + unstable.size() - 1;
        if (index > last || unstable.get((int) (index - unstableOffset)).term() != term) return;
        int n = (int) (index - unstableOffset + 1);
        unstable.subList(0, n).clear();
        unstableOffset = index + 1;
    }

    void stableSnapshotTo(long index) {
        if (unstableSnapshot != null && unstableSnapshot.metadata().index() == index) {
            unstableSnapshot = null;
        }
    }

    /** Replaces the whole log by a snapshot from the leader. */
    void restore(Snapshot snapshot) {
        unstableSnapshot = snapshot;
        unstable.clear();
        unstableOffset = snapshot.metadata().index() + 1;
        committed = snapshot.metadata().index();
    }

    /** The snapshot to send a follower: the pending one if we are installing one, else storage's. */
    Snapshot snapshot() {
        return unstableSnapshot != null ? unstableSnapshot : storage.snapshot();
    }
}
