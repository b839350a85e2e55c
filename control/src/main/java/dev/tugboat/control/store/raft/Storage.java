package dev.tugboat.control.store.raft;

import java.util.List;

/**
 * The durable Raft log as the core reads it. The driver implements it over its log (and keeps it up to date as it
 * persists each {@link Ready}); the core never writes through it.
 *
 * <p>The log holds the entries ({@code firstIndex()}..{@code lastIndex()}); everything before {@code firstIndex()}
 * is covered by the latest snapshot, whose index is {@code firstIndex() - 1} and whose term is still answered by
 * {@link #term}.
 */
public interface Storage {

    /** The hard state and configuration saved when the member last ran (empty and the bootstrap config if new). */
    InitialState initialState();

    /**
     * Entries in [lo, hi), at least one if the range is non-empty, then as many as fit in {@code maxSizeBytes}.
     *
     * @throws LogCompactedException if {@code lo} precedes {@link #firstIndex()}
     * @throws LogUnavailableException if {@code hi - 1} exceeds {@link #lastIndex()}
     */
    List<Entry> entries(long lo, long hi, long maxSizeBytes);

    /**
     * The term of the entry at {@code index}, for any index in [firstIndex() - 1, lastIndex()].
     *
     * @throws LogCompactedException if {@code index} precedes {@code firstIndex() - 1}
     * @throws LogUnavailableException if {@code index} exceeds {@link #lastIndex()}
     */
    long term(long index);

    /** The index of the first entry still in the log (the snapshot index + 1). */
    long firstIndex();

    /** The index of the last entry in the log (the snapshot index if the log is empty). */
    long lastIndex();

    /**
     * The latest snapshot, to send to a follower that needs entries already compacted away.
     *
     * @throws SnapshotTemporarilyUnavailableException if it is being prepared; the core retries later
     */
    Snapshot snapshot();

    /** The latest snapshot's metadata, without its data (which a durable store reads from disk). */
    default SnapshotMetadata snapshotMetadata() {
        return snapshot().metadata();
    }

    /** What {@link #initialState()} returns. */
    record InitialState(HardState hardState, ConfState confState) {
    }
}
