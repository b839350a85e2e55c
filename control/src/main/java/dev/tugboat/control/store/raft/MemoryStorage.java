package dev.tugboat.control.store.raft;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Storage} held in memory: what the simulation treats as a member's disk, and a model for the driver's
 * durable implementation. Writes happen only through the methods the driver calls while persisting a {@link Ready}.
 *
 * <p>Slot 0 of the entry list is a placeholder for the snapshot point (its index and term), so the term of the
 * entry just before the first one is always known.
 */
public final class MemoryStorage implements Storage {

    private HardState hardState = HardState.EMPTY;
    private Snapshot snapshot;
    private final ArrayList<Entry> entries = new ArrayList<>();

    /**
     * A fresh log whose configuration is {@code confState} before any entry. Members that join later cannot learn
     * this configuration from the log; use {@link #bootstrap} for clusters that will grow.
     */
    public MemoryStorage(ConfState confState) {
        snapshot = new Snapshot(new SnapshotMetadata(0, 0, confState), new byte[0]);
        entries.add(new Entry(0, 0, EntryType.NORMAL, null));
    }

    /** The log of an initial member of a new cluster of {@code voters} (see {@link Bootstrap}). */
    public static MemoryStorage bootstrap(List<Long> voters) {
        MemoryStorage storage = new MemoryStorage(ConfState.EMPTY);
        storage.append(Bootstrap.entries(voters));
        storage.setHardState(Bootstrap.hardState(voters));
        return storage;
    }

    /** A member that will join an existing cluster: it learns log and configuration from the leader. */
    public static MemoryStorage joining() {
        return new MemoryStorage(ConfState.EMPTY);
    }

    @Override
    public synchronized InitialState initialState() {
        return new InitialState(hardState, snapshot.metadata().confState());
    }

    public synchronized HardState hardState() {
        return hardState;
    }

    public synchronized void setHardState(HardState hardState) {
        this.hardState = hardState;
    }

    @Override
    public synchronized List<Entry> entries(long lo, long hi, long maxSizeBytes) {
        long offset = entries.get(0).index();
        if (lo <= offset) throw new LogCompactedException(lo, offset + 1);
        if (hi > lastIndexLocked() + 1) throw new LogUnavailableException(hi - 1, lastIndexLocked());
        List<Entry> out = new ArrayList<>();
        long size = 0;
        for (long i = lo; i < hi; i++) {
            Entry e = entries.get((int) (i - offset));
            size += e.sizeBytes();
            if (!out.isEmpty() && size > maxSizeBytes) break;
            out.add(e);
        }
        return out;
    }

    @Override
    public synchronized long term(long index) {
        long offset = entries.get(0).index();
        if (index < offset) throw new LogCompactedException(index, offset + 1);
        if (index > lastIndexLocked()) throw new LogUnavailableException(index, lastIndexLocked());
        return entries.get((int) (index - offset)).term();
    }

    @Override
    public synchronized long firstIndex() {
        return entries.get(0).index() + 1;
    }

    @Override
    public synchronized long lastIndex() {
        return lastIndexLocked();
    }

    private long lastIndexLocked() {
        return entries.get(0).index() + entries.size() - 1;
    }

    @Override
    public synchronized Snapshot snapshot() {
        return snapshot;
    }

    /**
     * Appends {@code newEntries} (consecutive indexes); an entry at an index already held replaces it and drops every
     * entry after it. Entries already covered by the snapshot are skipped.
     */
    public synchronized void append(List<Entry> newEntries) {
        if (newEntries.isEmpty()) return;
        long offset = entries.get(0).index();
        long first = newEntries.get(0).index();
        if (first > lastIndexLocked() + 1) {
            throw new IllegalArgumentException("MemoryStorage.append: entry " + first + " leaves a gap after "
                + lastIndexLocked());
        }
        int skip = (int) Math.max(0, offset + 1 - first);
        if (skip >= newEntries.size()) return;
        long start = first + skip;
        int keep = (int) (start - offset);
        while (entries.size() > keep) entries.remove(entries.size() - 1);
        entries.addAll(newEntries.subList(skip, newEntries.size()));
    }

    /** Replaces the whole log with {@code snap}, as a follower does when it installs a leader's snapshot. */
    public synchronized void applySnapshot(Snapshot snap) {
        if (snap.metadata().index() <= snapshot.metadata().index()) {
            throw new IllegalArgumentException("MemoryStorage.applySnapshot: snapshot at " + snap.metadata().index()
                + " is not newer than the current one at " + snapshot.metadata().index());
        }
        snapshot = snap;
        entries.clear();
        entries.add(new Entry(snap.metadata().index(), snap.metadata().term(), EntryType.NORMAL, null));
    }

    /**
     * Records a snapshot the application made of its state machine after applying {@code index}, with the
     * configuration then in force; the log is left intact (see {@link #compact}).
     */
    public synchronized Snapshot createSnapshot(long index, ConfState confState, byte[] data) {
        if (index <= snapshot.metadata().index()) {
            throw new IllegalArgumentException("MemoryStorage.createSnapshot: index " + index
                + " is not after the current snapshot at " + snapshot.metadata().index());
        }
        if (index > lastIndexLocked()) {
            throw new IllegalArgumentException("MemoryStorage.createSnapshot: index " + index
                + " is beyond the last index " + lastIndexLocked());
        }
        long term = entries.get((int) (index - entries.get(0).index())).term();
        snapshot = new Snapshot(new SnapshotMetadata(index, term, confState), data);
        return snapshot;
    }

    /** Drops every entry up to and including {@code index}; a snapshot must already cover it. */
    public synchronized void compact(long index) {
        long offset = entries.get(0).index();
        if (index <= offset) return;
        if (index > snapshot.metadata().index()) {
            throw new IllegalArgumentException("MemoryStorage.compact: index " + index
                + " is not covered by the snapshot at " + snapshot.metadata().index());
        }
        Entry last = entries.get((int) (index - offset));
        List<Entry> rest = new ArrayList<>(entries.subList((int) (index - offset + 1), entries.size()));
        entries.clear();
        entries.add(new Entry(last.index(), last.term(), EntryType.NORMAL, null));
        entries.addAll(rest);
    }
}
