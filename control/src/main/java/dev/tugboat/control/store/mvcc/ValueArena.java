package dev.tugboat.control.store.mvcc;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The values of every retained entry, outside the Java heap: 1 MiB direct-memory chunks filled in order, each value
 * found by a reference {@code chunk << 32 | offset} and its length (both kept in its {@link Entry}).
 *
 * <p>Why off the heap: values are most of a store's bytes (256 MB of a million 256-byte values). On the heap, the
 * collector needs room to spare in proportion to everything live, and its own bookkeeping grows with the heap; a
 * member holding a million keys had 1 GB of heap committed for 415 MB live. Here a value costs its length, and the
 * heap holds only the index and the entries' numbers.
 *
 * <p>Bytes once written are never overwritten: a chunk whose values are all freed is dropped (the collector returns
 * its memory once nothing refers to it) rather than reused. That is what lets a {@link Reader} taken under the
 * state machine's lock go on reading its values without the lock while applies continue: it keeps the chunks it
 * saw reachable. Chunks left sparse by compaction are emptied by moving their live values ({@link #isSparse}).
 *
 * <p>Not thread-safe for writing: {@link KeySpace} writes under the state machine's write lock; reads use absolute
 * gets, which several threads may make at once.
 */
final class ValueArena {

  static final int CHUNK_BYTES = 1 << 20;
  /** A value larger than this gets a chunk of its own, so that filling chunks wastes at most a quarter of one. */
  static final int LARGE_VALUE = CHUNK_BYTES / 4;

  private ByteBuffer[] chunks = new ByteBuffer[16];
  private int[] liveBytes = new int[16];
  private int[] freeSlots = new int[16];
  private int freeSlotCount;
  private int slotCount;
  private int active = -1;
  private int activePosition;
  private long totalLiveBytes;

  /** Stores {@code value}; returns its reference. An empty value takes no space (reference 0). */
  long allocate(byte[] value) {
    int length = value.length;
    if (length == 0) {
      return 0;
    }
    int slot;
    int offset;
    if (length > LARGE_VALUE) {
      slot = newChunk(length);
      offset = 0;
    } else {
      if (active < 0 || activePosition + length > CHUNK_BYTES) {
        int previous = active;
        active = newChunk(CHUNK_BYTES);
        activePosition = 0;
        if (previous >= 0 && liveBytes[previous] == 0) {
          drop(previous);
        }
      }
      slot = active;
      offset = activePosition;
      activePosition += length;
    }
    chunks[slot].put(offset, value);
    liveBytes[slot] += length;
    totalLiveBytes += length;
    return (long) slot << 32 | offset;
  }

  /** The value at {@code ref}, a copy. */
  byte[] read(long ref, int length) {
    return read(chunks, ref, length);
  }

  /** Frees a value no entry refers to any more; its chunk goes once all of its values are freed. */
  void free(long ref, int length) {
    if (length == 0) {
      return;
    }
    int slot = (int) (ref >>> 32);
    liveBytes[slot] -= length;
    totalLiveBytes -= length;
    if (liveBytes[slot] == 0 && slot != active) {
      drop(slot);
    }
  }

  /** True if the value at {@code ref} sits in a chunk less than half full of live values, worth emptying. */
  boolean isSparse(long ref, int length) {
    if (length == 0) {
      return false;
    }
    int slot = (int) (ref >>> 32);
    return slot != active && liveBytes[slot] < chunks[slot].capacity() / 2;
  }

  /** Moves a value to the chunk being filled; returns its new reference. */
  long move(long ref, int length) {
    long moved = allocate(read(ref, length));
    free(ref, length);
    return moved;
  }

  /** Bytes of live values. */
  long liveBytes() {
    return totalLiveBytes;
  }

  /** Bytes of direct memory held. */
  long reservedBytes() {
    long bytes = 0;
    for (int i = 0; i < slotCount; i++) {
      if (chunks[i] != null) {
        bytes += chunks[i].capacity();
      }
    }
    return bytes;
  }

  /** Reads the values present now, on any thread, for as long as the reader is kept, whatever happens after. */
  Reader reader() {
    return new Reader(Arrays.copyOf(chunks, slotCount));
  }

  /** Reads values as they were when it was made (see {@link #reader}). */
  static final class Reader {
    private final ByteBuffer[] chunks;

    private Reader(ByteBuffer[] chunks) {
      this.chunks = chunks;
    }

    /** The value at {@code ref}, a copy. */
    byte[] read(long ref, int length) {
      return ValueArena.read(chunks, ref, length);
    }

    /** Copies {@code length} bytes of the value at {@code ref}, from its byte {@code from}, into {@code target}. */
    void copy(long ref, int from, byte[] target, int at, int length) {
      if (length > 0) {
        chunks[(int) (ref >>> 32)].get((int) ref + from, target, at, length);
      }
    }
  }

  private static byte[] read(ByteBuffer[] chunks, long ref, int length) {
    if (length == 0) {
      return Entry.NO_VALUE;
    }
    byte[] value = new byte[length];
    chunks[(int) (ref >>> 32)].get((int) ref, value);
    return value;
  }

  private int newChunk(int capacity) {
    int slot;
    if (freeSlotCount > 0) {
      slot = freeSlots[--freeSlotCount];
    } else {
      if (slotCount == chunks.length) {
        chunks = Arrays.copyOf(chunks, slotCount * 2);
        liveBytes = Arrays.copyOf(liveBytes, slotCount * 2);
      }
      slot = slotCount++;
    }
    chunks[slot] = ByteBuffer.allocateDirect(capacity);
    liveBytes[slot] = 0;
    return slot;
  }

  private void drop(int slot) {
    chunks[slot] = null;
    if (freeSlotCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeSlotCount * 2);
    }
    freeSlots[freeSlotCount++] = slot;
  }
}
