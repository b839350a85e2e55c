package dev.tugboat.control.store.raft;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulation's replicated state machine: a key-value map written by put commands. Each command carries a
 * unique operation id and is applied at most once, because a forwarded proposal duplicated by the network is
 * appended to the log twice (client sessions, Raft thesis section 6.3).
 */
final class KvStateMachine {

    /** A put command: operation {@code opId} sets {@code key} to {@code value}. */
    record Put(long opId, String key, String value) {
        byte[] encode() {
            return (opId + "|" + key + "|" + value).getBytes(StandardCharsets.UTF_8);
        }

        static Put decode(byte[] data) {
            String[] parts = new String(data, StandardCharsets.UTF_8).split("\\|", 3);
            return new Put(Long.parseLong(parts[0]), parts[1], parts[2]);
        }
    }

    private final TreeMap<String, String> values = new TreeMap<>();
    private final TreeSet<Long> appliedOps = new TreeSet<>();

    /** Applies a put unless its operation was applied before; returns whether it took effect. */
    boolean apply(Put put) {
        if (!appliedOps.add(put.opId())) return false;
        values.put(put.key(), put.value());
        return true;
    }

    String get(String key) {
        return values.get(key);
    }

    boolean hasApplied(long opId) {
        return appliedOps.contains(opId);
    }

    Map<String, String> values() {
        return values;
    }

    byte[] snapshot() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(values.size());
            for (Map.Entry<String, String> e : values.entrySet()) {
                out.writeUTF(e.getKey());
                out.writeUTF(e.getValue());
            }
            out.writeInt(appliedOps.size());
            for (long op : appliedOps) out.writeLong(op);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static KvStateMachine restore(byte[] snapshot) {
        KvStateMachine sm = new KvStateMachine();
        if (snapshot.length == 0) return sm;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) sm.values.put(in.readUTF(), in.readUTF());
            int ops = in.readInt();
            for (int i = 0; i < ops; i++) sm.appliedOps.add(in.readLong());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sm;
    }
}
