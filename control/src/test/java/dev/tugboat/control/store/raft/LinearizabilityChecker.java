package dev.tugboat.control.store.raft;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a history of put/get operations on a key-value register is linearizable: whether each operation
 * can be given one instant between its invocation and its response such that, in that order, every get returns
 * the value of the latest put to its key.
 *
 * <p>Keys are independent, so each key's sub-history is checked on its own (P-compositionality). Each check is the
 * Wing and Gong search with Lowe's memoization, as in Porcupine: walk the events in time order, tentatively
 * linearize an operation at its call, backtrack at a return whose operation could not be placed, and remember
 * (linearized set, state) pairs already explored. Operations with an unknown outcome have an infinitely late
 * response, so they may take effect at any time after their call, or (placed last) never visibly.
 */
final class LinearizabilityChecker {

    /** The verdict: linearizable, or the key whose history is not, with that history for the report. */
    record Result(boolean linearizable, String key, List<KvOperation> history) {
        @Override
        public String toString() {
            if (linearizable) return "linearizable";
            StringBuilder s = new StringBuilder("not linearizable on key " + key + ":");
            for (KvOperation op : history) s.append("\n  ").append(op);
            return s.toString();
        }
    }

    private LinearizabilityChecker() {
    }

    /** Search steps allowed per key before giving up: a hang would hide the verdict, so it fails instead. */
    static final long MAX_STEPS_PER_KEY = 20_000_000;

    static Result check(List<KvOperation> history) {
        Map<String, List<KvOperation>> byKey = new TreeMap<>();
        for (KvOperation op : history) byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        for (Map.Entry<String, List<KvOperation>> e : byKey.entrySet()) {
            if (!checkKey(e.getValue())) {
                List<KvOperation> sorted = new ArrayList<>(e.getValue());
                sorted.sort(Comparator.comparingLong(KvOperation::invoked));
                return new Result(false, e.getKey(), sorted);
            }
        }
        return new Result(true, null, List.of());
    }

    /** A call or return event in the doubly linked event list. */
    private static final class Event {
        final int op;
        final boolean isCall;
        final long time;
        Event prev;
        Event next;
        Event match; // a call's return event, and the reverse

        Event(int op, boolean isCall, long time) {
            this.op = op;
            this.isCall = isCall;
            this.time = time;
        }
    }

    private record Explored(BitSet linearized, String state) {
    }

    private record Frame(Event call, String previousState) {
    }

    private static boolean checkKey(List<KvOperation> ops) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            Event call = new Event(i, true, ops.get(i).invoked());
            Event ret = new Event(i, false, ops.get(i).returned());
            call.match = ret;
            ret.match = call;
            events.add(call);
            events.add(ret);
        }
        // At equal times returns come first: an operation that returned at t precedes one invoked at t.
        events.sort(Comparator.comparingLong((Event e) -> e.time).thenComparing(e -> e.isCall));
        Event head = new Event(-1, false, Long.MIN_VALUE);
        Event prev = head;
        for (Event e : events) {
            prev.next = e;
            e.prev = prev;
            prev = e;
        }

        String state = null;
        BitSet linearized = new BitSet(ops.size());
        Set<Explored> cache = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        Event entry = head.next;
        long steps = 0;
        while (head.next != null) {
            if (++steps > MAX_STEPS_PER_KEY) {
                throw new IllegalStateException("linearizability check: gave up after " + MAX_STEPS_PER_KEY
                    + " steps on a history of " + ops.size() + " operations");
            }
            if (entry == null) {
                return false; // ran past the end without placing everything (cannot happen with finite returns)
            }
            if (entry.isCall) {
                KvOperation op = ops.get(entry.op);
                String next = apply(state, op);
                boolean valid = op.isPut() || Objects.equals(op.value(), state);
                if (valid) {
                    BitSet after = (BitSet) linearized.clone();
                    after.set(entry.op);
                    if (cache.add(new Explored(after, next))) {
                        stack.push(new Frame(entry, state));
                        linearized = after;
                        state = next;
                        lift(entry);
                        entry = head.next;
                        continue;
                    }
                }
                entry = entry.next;
            } else {
                // A return whose operation is not yet placed: the current prefix cannot be extended. Backtrack.
                if (stack.isEmpty()) return false;
                Frame top = stack.pop();
                state = top.previousState();
                linearized.clear(top.call().op);
                unlift(top.call());
                entry = top.call().next;
            }
        }
        return true;
    }

    private static String apply(String state, KvOperation op) {
        return op.isPut() ? op.value() : state;
    }

    private static void lift(Event call) {
        call.prev.next = call.next;
        call.next.prev = call.prev;
        Event ret = call.match;
        ret.prev.next = ret.next;
        if (ret.next != null) ret.next.prev = ret.prev;
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.prev.next = ret;
        if (ret.next != null) ret.next.prev = ret;
        call.prev.next = call;
        call.next.prev = call;
    }
}
