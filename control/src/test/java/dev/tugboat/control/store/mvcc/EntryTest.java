package dev.tugboat.control.store.mvcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class EntryTest {

  private static void assertNumbers(Entry e, long revision, long create, long version, long lease, long ref,
                                    int length) {
    assertThat(e.revision()).isEqualTo(revision);
    assertThat(e.createRevision()).isEqualTo(create);
    assertThat(e.version()).isEqualTo(version);
    assertThat(e.lease()).isEqualTo(lease);
    assertThat(e.valueRef()).isEqualTo(ref);
    assertThat(e.valueLength()).isEqualTo(length);
  }

  @Test
  void eachShapeGivesBackTheNumbersItWasMadeWith() {
    long rev = Entry.pack(7, 3);
    Entry created = Entry.of(rev, 7, 1, 0, 5L << 32 | 1000, 256);
    assertThat(created).isInstanceOf(Entry.Created.class);
    assertNumbers(created, rev, 7, 1, 0, 5L << 32 | 1000, 256);

    Entry tombstone = Entry.of(rev, 0, 0, 0, 0, 0);
    assertThat(tombstone).isInstanceOf(Entry.Tombstone.class).isEqualTo(Entry.tombstone(rev));
    assertThat(tombstone.isTombstone()).isTrue();
    assertNumbers(tombstone, rev, 0, 0, 0, 0, 0);

    // a lease, a later version, or a create revision of another write: every number is kept
    assertNumbers(Entry.of(rev, 7, 1, 99, 1L << 32, 10), rev, 7, 1, 99, 1L << 32, 10);
    assertNumbers(Entry.of(rev, 4, 2, 0, 0, 0), rev, 4, 2, 0, 0, 0);
    assertNumbers(Entry.of(rev, 6, 1, 0, 3, 1), rev, 6, 1, 0, 3, 1);
    assertThat(Entry.of(rev, 4, 2, 0, 0, 0)).isInstanceOf(Entry.Full.class);

    Entry moved = created.movedTo(9L << 32 | 77);
    assertNumbers(moved, rev, 7, 1, 0, 9L << 32 | 77, 256);
    assertThat(moved).isNotEqualTo(created);
    assertThat(Entry.of(rev, 7, 1, 0, 5L << 32 | 1000, 256)).isEqualTo(created).hasSameHashCodeAs(created);
  }

  @Test
  void theLargestPlacesFitAndLargerAreRefused() {
    long maxRef = ((1L << 22) - 1) << 32 | ((1 << 20) - 1);
    int maxLength = (1 << 22) - 1;
    assertNumbers(Entry.of(Entry.pack(2, 0), 1, 3, 5, maxRef, maxLength), Entry.pack(2, 0), 1, 3, 5, maxRef,
        maxLength);
    assertNumbers(Entry.of(Entry.pack(2, 0), 2, 1, 0, maxRef, MvccKeyValueStore.MAX_REQUEST_BYTES),
        Entry.pack(2, 0), 2, 1, 0, maxRef, MvccKeyValueStore.MAX_REQUEST_BYTES);
    assertThatThrownBy(() -> Entry.of(1, 1, 1, 0, 1L << 54, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Entry.of(1, 1, 1, 0, 1 << 20, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Entry.of(1, 1, 1, 0, 0, 1 << 22)).isInstanceOf(IllegalArgumentException.class);
  }
}
