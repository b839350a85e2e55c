package dev.tugboat.control.store.raft;

import java.util.Arrays;
import java.util.Objects;

/**
 * One log entry: its position ({@code index}), the leader term that created it, and its payload.
 *
 * <p>The data array is owned by the entry once created: neither the core nor callers modify it afterwards.
 */
public record Entry(long index, long term, EntryType type, byte[] data) {

    private static final byte[] NO_DATA = new byte[0];
    /** Fixed per-entry overhead counted by {@link #sizeBytes()}, roughly the wire header. */
    static final int HEADER_BYTES = 24;

    public Entry {
        Objects.requireNonNull(type, "Entry.type");
        data = data == null ? NO_DATA : data;
    }

    public static Entry normal(long index, long term, byte[] data) {
        return new Entry(index, term, EntryType.NORMAL, data);
    }

    /** The size used for batching limits ({@link RaftConfig#maxSizePerMessage}). */
    public long sizeBytes() {
        return HEADER_BYTES + data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Entry e && e.index == index && e.term == term && e.type == type
            && Arrays.equals(e.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, term, type, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "Entry{" + index + "@" + term + (type == EntryType.NORMAL ? "" : " " + type) + " " + data.length + "B}";
    }
}
