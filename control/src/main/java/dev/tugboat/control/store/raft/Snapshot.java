package dev.tugboat.control.store.raft;

import java.util.Objects;

/**
 * A state machine snapshot: the opaque application data (made by the application, never read by the core) and the
 * metadata the core needs to continue the log after it.
 */
public record Snapshot(SnapshotMetadata metadata, byte[] data) {
    public static final Snapshot EMPTY = new Snapshot(SnapshotMetadata.EMPTY, new byte[0]);

    public Snapshot {
        Objects.requireNonNull(metadata, "Snapshot.metadata");
        data = data == null ? new byte[0] : data;
    }

    public boolean isEmpty() {
        return metadata.index() == 0;
    }

    @Override
    public String toString() {
        return "Snapshot{" + metadata + " " + data.length + "B}";
    }
}
