package dev.tugboat.control.store.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's read index requests waiting for a quorum to confirm, by heartbeat acknowledgement, that it still
 * leads. A quorum acknowledging a request also confirms every request queued before it.
 */
final class ReadIndexQueue {

    /** A read request: answer with {@code index} to {@code from} (this member itself for local requests). */
    record Request(long index, long from, byte[] context, Set<Long> acks) {
    }

    private final LinkedHashMap<ByteBuffer, Request> pending = new LinkedHashMap<>();

    void add(long index, long from, byte[] context) {
        pending.putIfAbsent(ByteBuffer.wrap(context), new Request(index, from, context, new HashSet<>()));
    }

    /** Records {@code from}'s acknowledgement of the heartbeat carrying {@code context}; null if unknown. */
    Set<Long> acknowledge(long from, byte[] context) {
        Request r = pending.get(ByteBuffer.wrap(context));
        if (r == null) return null;
        r.acks().add(from);
        return r.acks();
    }

    /** Removes and returns every request up to and including the one with {@code context}, oldest first. */
    List<Request> release(byte[] context) {
        ByteBuffer key = ByteBuffer.wrap(context);
        if (!pending.containsKey(key)) return List.of();
        List<Request> out = new ArrayList<>();
        Iterator<Map.Entry<ByteBuffer, Request>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<ByteBuffer, Request> e = it.next();
            out.add(e.getValue());
            it.remove();
            if (e.getKey().equals(key)) break;
        }
        return out;
    }

    /** The context of the newest request, which heartbeats carry so their acknowledgements confirm it; null if none. */
    byte[] lastContext() {
        byte[] last = null;
        for (Request r : pending.values()) last = r.context();
        return last;
    }

    void clear() {
        pending.clear();
    }
}
