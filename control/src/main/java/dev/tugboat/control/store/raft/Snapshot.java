package dev.tugboat.control.store.raft;

import java.util.Objects;

/**
 * A state machine snapshot: the metadata the core needs to continue the log after it, and the opaque application
 * data (made by the application, never read by the core). The data is only what a storage keeps in memory
 * ({@link MemoryStorage}, the simulations): a durable member's storage gives the core metadata alone, and its transport
 * streams the snapshot file beside the SNAPSHOT message the core makes of it, so the core passes on whatever it is given.
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
