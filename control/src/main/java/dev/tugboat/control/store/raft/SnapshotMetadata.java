package dev.tugboat.control.store.raft;

import java.util.Objects;

/** What a snapshot covers: every entry up to {@code index} (whose term is {@code term}), and the configuration then. */
public record SnapshotMetadata(long index, long term, ConfState confState) {
    public static final SnapshotMetadata EMPTY = new SnapshotMetadata(0, 0, ConfState.EMPTY);

    public SnapshotMetadata {
        Objects.requireNonNull(confState, "SnapshotMetadata.confState");
    }
}
