package dev.tugboat.control.store.raft;

import static dev.tugboat.control.store.raft.KvOperation.UNKNOWN;
import static dev.tugboat.control.store.raft.KvOperation.get;
import static dev.tugboat.control.store.raft.KvOperation.put;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {

    private static boolean linearizable(KvOperation... ops) {
        return LinearizabilityChecker.check(List.of(ops)).linearizable();
    }

    @Test
    void sequentialHistoryReadingLatestWritesIsLinearizable() {
        assertThat(linearizable(
            get(1, "k", null, 0, 1),
            put(1, "k", "a", 2, 3),
            get(2, "k", "a", 4, 5),
            put(2, "k", "b", 6, 7),
            get(1, "k", "b", 8, 9))).isTrue();
    }

    @Test
    void readOfAnOverwrittenValueAfterTheOverwriteReturnedIsNotLinearizable() {
        assertThat(linearizable(
            put(1, "k", "a", 0, 1),
            put(1, "k", "b", 2, 3),
            get(2, "k", "a", 4, 5))).isFalse();
    }

    @Test
    void readConcurrentWithAWriteMaySeeEitherValue() {
        assertThat(linearizable(put(1, "k", "a", 0, 1), put(1, "k", "b", 2, 10), get(2, "k", "a", 3, 4))).isTrue();
        assertThat(linearizable(put(1, "k", "a", 0, 1), put(1, "k", "b", 2, 10), get(2, "k", "b", 3, 4))).isTrue();
    }

    @Test
    void readsMustNotGoBackInTime() {
        // Once a read saw the new value, a later read cannot see the old one, even while the write is in flight.
        assertThat(linearizable(
            put(1, "k", "a", 0, 1),
            put(1, "k", "b", 2, 20),
            get(2, "k", "b", 3, 4),
            get(3, "k", "a", 5, 6))).isFalse();
    }

    @Test
    void acknowledgedWriteThatNoLaterReadSeesIsLost() {
        assertThat(linearizable(put(1, "k", "a", 0, 1), get(2, "k", null, 2, 3))).isFalse();
    }

    @Test
    void writeWithUnknownOutcomeMayHaveTakenEffectOrNot() {
        assertThat(linearizable(put(1, "k", "a", 0, UNKNOWN), get(2, "k", "a", 5, 6))).isTrue();
        assertThat(linearizable(put(1, "k", "a", 0, UNKNOWN), get(2, "k", null, 5, 6))).isTrue();
        // ...but not both ways: once seen it stays.
        assertThat(linearizable(
            put(1, "k", "a", 0, UNKNOWN), get(2, "k", "a", 5, 6), get(2, "k", null, 7, 8))).isFalse();
    }

    @Test
    void valueNeverWrittenCannotBeRead() {
        assertThat(linearizable(put(1, "k", "a", 0, 1), get(2, "k", "z", 2, 3))).isFalse();
    }

    @Test
    void keysAreCheckedIndependently() {
        LinearizabilityChecker.Result r = LinearizabilityChecker.check(List.of(
            put(1, "x", "a", 0, 1), get(2, "x", "a", 2, 3),
            put(1, "y", "a", 0, 1), get(2, "y", null, 2, 3)));
        assertThat(r.linearizable()).isFalse();
        assertThat(r.key()).isEqualTo("y");
    }

    @Test
    void largeConcurrentHistoryIsCheckedQuickly() {
        // Four clients writing and reading one key in overlapping windows: linearizable by construction
        // (each operation takes effect just after its invocation, in index order).
        List<KvOperation> ops = new ArrayList<>();
        String current = null;
        for (int i = 0; i < 400; i++) {
            long invoked = i * 10L;
            long returned = invoked + 35; // overlaps the next three operations
            if (i % 3 == 0) {
                current = "v" + i;
                ops.add(put(i % 4, "k", current, invoked, returned));
            } else {
                ops.add(get(i % 4, "k", current, invoked, returned));
            }
        }
        assertThat(LinearizabilityChecker.check(ops).linearizable()).isTrue();
    }
}
