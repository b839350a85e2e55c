package dev.tugboat.control.store.raft;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * A single-member configuration change, carried in the data of a {@link EntryType#CONF_CHANGE} entry.
 *
 * <p>Changes take effect on each member when their entry is applied (acknowledged through
 * {@link RaftCore#advance}); the leader accepts one change at a time, so any two consecutive configurations differ
 * by one member and their majorities overlap.
 *
 * <p>The {@code context} is opaque to the core and travels with the change, so that the driver can replicate what
 * it knows about the member (its name and addresses) in the same entry that changes the configuration.
 */
public record ConfChange(ConfChangeType type, long nodeId, byte[] context) {
    /** Encoded size without context: one byte type, eight bytes node id. */
    public static final int ENCODED_BYTES = 9;
    private static final byte[] NO_CONTEXT = new byte[0];

    public ConfChange {
        Objects.requireNonNull(type, "ConfChange.type");
        if (nodeId <= 0) {
            throw new IllegalArgumentException("ConfChange.nodeId: must be positive, was " + nodeId);
        }
        context = context == null || context.length == 0 ? NO_CONTEXT : context;
    }

    public ConfChange(ConfChangeType type, long nodeId) {
        this(type, nodeId, NO_CONTEXT);
    }

    public byte[] encode() {
        return ByteBuffer.allocate(ENCODED_BYTES + context.length).put((byte) type.ordinal()).putLong(nodeId)
            .put(context).array();
    }

    public static ConfChange decode(byte[] data) {
        if (data.length < ENCODED_BYTES) {
            throw new IllegalArgumentException("ConfChange: expected at least " + ENCODED_BYTES + " bytes, got "
                + data.length);
        }
        ByteBuffer buf = ByteBuffer.wrap(data);
        int type = buf.get();
        if (type < 0 || type >= ConfChangeType.values().length) {
            throw new IllegalArgumentException("ConfChange: unknown type " + type);
        }
        long nodeId = buf.getLong();
        return new ConfChange(ConfChangeType.values()[type], nodeId,
            Arrays.copyOfRange(data, ENCODED_BYTES, data.length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConfChange c && c.type == type && c.nodeId == nodeId && Arrays.equals(c.context, context);
    }

    @Override
    public int hashCode() {
        return (type.hashCode() * 31 + Long.hashCode(nodeId)) * 31 + Arrays.hashCode(context);
    }

    @Override
    public String toString() {
        return "ConfChange[" + type + " " + nodeId + (context.length == 0 ? "" : ", " + context.length
            + " bytes of context") + "]";
    }
}
