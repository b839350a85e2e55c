package dev.tugboat.control.store.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValueArenaTest {

  private static byte[] value(int length, int seed) {
    byte[] v = new byte[length];
    for (int i = 0; i < length; i++) {
      v[i] = (byte) (seed * 31 + i);
    }
    return v;
  }

  @Test
  void valuesReadBackAsWrittenAcrossChunksAndEmptyValuesTakeNoSpace() {
    ValueArena arena = new ValueArena();
    List<Long> refs = new ArrayList<>();
    for (int i = 0; i < 5000; i++) {
      refs.add(arena.allocate(value(1000, i)));
    }
    assertThat(arena.reservedBytes()).isGreaterThanOrEqualTo(5_000_000L).isLessThan(6L * ValueArena.CHUNK_BYTES);
    for (int i = 0; i < refs.size(); i++) {
      assertThat(arena.read(refs.get(i), 1000)).isEqualTo(value(1000, i));
    }
    assertThat(arena.read(arena.allocate(new byte[0]), 0)).isEmpty();
    assertThat(arena.liveBytes()).isEqualTo(5_000_000L);
  }

  @Test
  void aValueLargerThanAQuarterChunkGetsItsOwnChunkWhichGoesWhenFreed() {
    ValueArena arena = new ValueArena();
    arena.allocate(value(10, 1));
    long reservedBefore = arena.reservedBytes();
    byte[] large = value(3 * ValueArena.CHUNK_BYTES, 2);
    long ref = arena.allocate(large);
    assertThat(arena.reservedBytes()).isEqualTo(reservedBefore + large.length);
    assertThat(arena.read(ref, large.length)).isEqualTo(large);
    arena.free(ref, large.length);
    assertThat(arena.reservedBytes()).isEqualTo(reservedBefore);
  }

  @Test
  void freeingEveryValueOfAFullChunkDropsIt() {
    ValueArena arena = new ValueArena();
    List<Long> first = new ArrayList<>();
    for (int i = 0; i < 1024; i++) {
      first.add(arena.allocate(value(1024, i))); // exactly one chunk
    }
    long more = arena.allocate(value(1024, -1)); // opens the second chunk
    assertThat(arena.reservedBytes()).isEqualTo(2L * ValueArena.CHUNK_BYTES);
    first.forEach(ref -> arena.free(ref, 1024));
    assertThat(arena.reservedBytes()).isEqualTo(ValueArena.CHUNK_BYTES);
    assertThat(arena.read(more, 1024)).isEqualTo(value(1024, -1));
  }

  @Test
  void aReaderKeepsReadingWhatItSawAfterFreesMovesAndReusedChunks() {
    ValueArena arena = new ValueArena();
    List<Long> refs = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      refs.add(arena.allocate(value(1024, i)));
    }
    ValueArena.Reader reader = arena.reader();
    for (int i = 0; i < refs.size(); i++) {
      if (i % 3 != 0) {
        arena.free(refs.get(i), 1024);
      } else if (arena.isSparse(refs.get(i), 1024)) {
        refs.set(i, arena.move(refs.get(i), 1024));
      }
    }
    for (int i = 0; i < 3000; i++) {
      arena.allocate(value(1024, 10_000 + i)); // fills chunks, reusing the dropped chunks' slots
    }
    List<Long> original = new ArrayList<>();
    ValueArena fresh = new ValueArena();
    for (int i = 0; i < 3000; i++) {
      original.add(fresh.allocate(value(1024, i))); // same refs as the first arena handed out
    }
    for (int i = 0; i < 3000; i++) {
      assertThat(Arrays.equals(reader.read(original.get(i), 1024), value(1024, i))).as("value %d", i).isTrue();
    }
    for (int i = 0; i < 3000; i += 3) {
      assertThat(arena.read(refs.get(i), 1024)).isEqualTo(value(1024, i));
    }
  }
}
