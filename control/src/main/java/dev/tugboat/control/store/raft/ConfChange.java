package dev.tugboat.control.store.raft;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A single-member configuration change, carried in the data of a {@link EntryType#CONF_CHANGE} entry.
 *
 * <p>Changes take effect on each member when their entry is applied (acknowledged through
 * {@link RaftCore#advance}); the leader accepts one change at a time, so any two consecutive configurations differ
 * by one member and their majorities overlap.
 */
public record ConfChange(ConfChangeType type, long nodeId) {
    /** Encoded size: one byte type, eight bytes node id. */
    public static final int ENCODED_BYTES = 9;

    public ConfChange {
        Objects.requireNonNull(type, "ConfChange.type");
        if (nodeId <= 0) {
            throw new IllegalArgumentException("ConfChange.nodeId: must be positive, was " + nodeId);
        }
    }

    public byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES).put((byte) type.ordinal()).putLong(nodeId).array();
    }

    public static ConfChange decode(byte[] data) {
        if (data.length != ENCODED_BYTES) {
            throw new IllegalArgumentException("ConfChange: expected " + ENCODED_BYTES + " bytes, got " + data.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        int type = buf.get();
        if (type < 0 || type >= ConfChangeType.values().length) {
            throw new IllegalArgumentException("ConfChange: unknown type " + type);
        }
        return new ConfChange(ConfChangeType.values()[type], buf.getLong());
    }
}
