package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.WatchEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The multi-version keyspace: each key's retained history, the store revision and the compact revision.
 *
 * <p>Deterministic (no clock, no randomness) and not thread-safe: {@link StoreStateMachine} serializes access.
 * To stay small with millions of keys, the map's value is either one {@link Entry} (the common case: a key written
 * once since the last compaction) or an {@code Entry[]} ordered oldest first; there is no per-key wrapper object.
 * Values are not on the heap at all but in a {@link ValueArena}. Entries and history arrays are never changed once
 * made (a write or a compaction replaces them), which is what lets a snapshot copy references and write them later.
 *
 * <p>Compaction at revision C keeps every entry at or after C, plus each key's newest entry before C if it is not a
 * deletion. Reads at any revision {@code >= C} and watches from any revision {@code >= C} therefore see exactly
 * what they would have seen before compaction.
 */
final class KeySpace {

  static final Comparator<byte[]> KEY_ORDER = Arrays::compareUnsigned;

  private final KeyIndex keys = new KeyIndex();
  /** The entries' values; replaced whole by a snapshot restore. */
  private ValueArena values = new ValueArena();
  private long revision = 1;
  private long compactRevision;
  /** Keys whose newest entry is not a deletion: etcd's keys gauge, kept as writes go so a scrape need not count. */
  private long liveKeys;

  // The write transaction in progress, if any.
  private long writeMain;
  private long writeSub;
  /** The changes as watch events, collected only while someone watches. */
  private List<WatchEvent> writeEvents;

  /** The newest revision; etcd starts an empty store at 1. */
  long revision() {
    return revision;
  }

  long compactRevision() {
    return compactRevision;
  }

  int keyCount() {
    return keys.size();
  }

  long liveKeyCount() {
    return liveKeys;
  }

  /** The value of {@code entry}, a copy. */
  byte[] value(Entry entry) {
    return values.read(entry.valueRef(), entry.valueLength());
  }

  /** The values present now, readable without the lock for as long as the reader is kept (see {@link ValueArena}). */
  ValueArena.Reader valueReader() {
    return values.reader();
  }

  /** Direct memory held for values (see {@link ValueArena}). */
  long valueBytesReserved() {
    return values.reservedBytes();
  }

  // ---- reads

  /** Checks that {@code requested} (≤ 0 meaning "current") can be read, and resolves it. */
  long readableRevision(long requested) {
    if (requested <= 0) {
      return revision;
    }
    if (requested > revision) {
      throw new StoreException(StoreException.Code.FUTURE_REVISION,
          "mvcc: required revision " + requested + " is a future revision (current revision " + revision + ")");
    }
    if (requested < compactRevision) {
      throw StoreException.compacted(requested, compactRevision);
    }
    return requested;
  }

  RangeResponse range(byte[] key, byte[] rangeEnd, long atRevision, long limit, boolean keysOnly, boolean countOnly) {
    long rev = readableRevision(atRevision);
    List<KeyValue> kvs = new ArrayList<>();
    long count = 0;
    for (KeyIndex.Cursor e = slice(key, rangeEnd); e.next(); ) {
      Entry entry = rev == revision ? newest(e.value()) : at(e.value(), rev);
      if (entry == null || entry.isTombstone()) {
        continue;
      }
      count++;
      if (!countOnly && (limit <= 0 || kvs.size() < limit)) {
        kvs.add(keyValue(e.key(), entry, keysOnly));
      }
    }
    boolean more = !countOnly && limit > 0 && count > kvs.size();
    return new RangeResponse(revision, kvs, more, count);
  }

  /** The live entry of {@code key} at the current revision, or null. */
  Entry live(byte[] key) {
    Object history = keys.get(key);
    if (history == null) {
      return null;
    }
    Entry newest = newest(history);
    return newest.isTombstone() ? null : newest;
  }

  /** Every live key in {@code [key, rangeEnd)} at the current revision, in key order. */
  void forEachLive(byte[] key, byte[] rangeEnd, BiConsumer<byte[], Entry> action) {
    for (KeyIndex.Cursor e = slice(key, rangeEnd); e.next(); ) {
      Entry newest = newest(e.value());
      if (!newest.isTombstone()) {
        action.accept(e.key(), newest);
      }
    }
  }

  /** Every retained key with its history (oldest first), for snapshots and hashes. */
  void forEachHistory(BiConsumer<byte[], Entry[]> action) {
    for (KeyIndex.Cursor e = keys.cursor(null, null); e.next(); ) {
      action.accept(e.key(), entries(e.value()));
    }
  }

  /** Every retained key with its history as kept: one {@link Entry} or an {@code Entry[]}, never changed in place. */
  void forEachHistoryObject(BiConsumer<byte[], Object> action) {
    for (KeyIndex.Cursor e = keys.cursor(null, null); e.next(); ) {
      action.accept(e.key(), e.value());
    }
  }

  /**
   * The events of {@code [key, rangeEnd)} from revision {@code fromRevision} on, in apply order, each with the
   * previous version of its key as prevKv when that was live. {@code fromRevision} must be {@code >= compactRevision}.
   */
  List<WatchEvent> history(byte[] key, byte[] rangeEnd, long fromRevision) {
    long from = Entry.pack(fromRevision, 0);
    List<long[]> order = new ArrayList<>();
    List<WatchEvent> unordered = new ArrayList<>();
    for (KeyIndex.Cursor e = slice(key, rangeEnd); e.next(); ) {
      Entry[] entries = entries(e.value());
      for (int i = entries.length - 1; i >= 0 && entries[i].revision() >= from; i--) {
        Entry prev = i > 0 && !entries[i - 1].isTombstone() ? entries[i - 1] : null;
        order.add(new long[] {entries[i].revision(), unordered.size()});
        unordered.add(event(e.key(), entries[i], prev));
      }
    }
    order.sort(Comparator.comparingLong(o -> o[0]));
    List<WatchEvent> events = new ArrayList<>(order.size());
    for (long[] o : order) {
      events.add(unordered.get((int) o[1]));
    }
    return events;
  }

  // ---- writes

  void beginWrite(boolean collectEvents) {
    writeMain = revision + 1;
    writeSub = 0;
    writeEvents = collectEvents ? new ArrayList<>() : null;
  }

  /** The main revision the write transaction in progress writes at. */
  long writeRevision() {
    return writeMain;
  }

  /** Writes {@code key}; returns its previous live entry or null. */
  Entry put(byte[] key, byte[] value, long lease) {
    Object history = keys.get(key);
    Entry prev = history == null ? null : newest(history);
    if (prev != null && prev.isTombstone()) {
      prev = null;
    }
    long revision = nextRevision();
    long ref = values.allocate(value);
    Entry entry = prev == null
        ? Entry.of(revision, writeMain, 1, lease, ref, value.length)
        : Entry.of(revision, prev.createRevision(), prev.version() + 1, lease, ref, value.length);
    keys.put(key, append(history, entry));
    if (prev == null) {
      liveKeys++;
    }
    if (writeEvents != null) {
      writeEvents.add(new WatchEvent(WatchEvent.Type.PUT, keyValue(key, entry, value),
          prev == null ? null : keyValue(key, prev, false)));
    }
    return prev;
  }

  /** Deletes the live keys in {@code [key, rangeEnd)}; returns them as they were, in key order. */
  List<Map.Entry<byte[], Entry>> deleteRange(byte[] key, byte[] rangeEnd) {
    List<Map.Entry<byte[], Entry>> deleted = new ArrayList<>();
    forEachLive(key, rangeEnd, (k, e) -> deleted.add(Map.entry(k, e)));
    for (Map.Entry<byte[], Entry> d : deleted) {
      Entry tombstone = Entry.tombstone(nextRevision());
      keys.put(d.getKey(), append(keys.get(d.getKey()), tombstone));
      liveKeys--;
      if (writeEvents != null) {
        writeEvents.add(event(d.getKey(), tombstone, d.getValue()));
      }
    }
    return deleted;
  }

  /** Ends the write transaction; the revision moves on only if something changed. Returns the collected events. */
  List<WatchEvent> endWrite() {
    List<WatchEvent> events = writeEvents == null ? List.of() : writeEvents;
    writeEvents = null;
    if (writeSub > 0) {
      revision = writeMain;
    }
    return events;
  }

  private long nextRevision() {
    if (writeSub > Entry.MAX_SUB) {
      throw new StoreException(StoreException.Code.INVALID_ARGUMENT,
          "mvcc: one write changes more than " + Entry.MAX_SUB + " keys");
    }
    return Entry.pack(writeMain, writeSub++);
  }

  // ---- compaction

  /** Drops history before {@code atRevision}; checks it like etcd does. */
  void compact(long atRevision) {
    if (atRevision <= compactRevision) {
      throw StoreException.compacted(atRevision, compactRevision);
    }
    if (atRevision > revision) {
      throw new StoreException(StoreException.Code.FUTURE_REVISION,
          "mvcc: required revision " + atRevision + " is a future revision (current revision " + revision + ")");
    }
    long bound = Entry.pack(atRevision, 0);
    keys.replaceAll((key, history) -> compact(history, bound));
    compactRevision = atRevision;
    // Second pass, once every dropped value is freed: move the values left in sparse chunks so those chunks go.
    keys.replaceAll((key, history) -> moveSparseValues(history));
  }

  /** The history with its values in sparse chunks moved; a new array if any moved (histories are never changed). */
  private Object moveSparseValues(Object history) {
    if (history instanceof Entry entry) {
      return values.isSparse(entry.valueRef(), entry.valueLength())
          ? entry.movedTo(values.move(entry.valueRef(), entry.valueLength())) : entry;
    }
    Entry[] entries = (Entry[]) history;
    Entry[] copy = null;
    for (int i = 0; i < entries.length; i++) {
      Entry entry = entries[i];
      if (values.isSparse(entry.valueRef(), entry.valueLength())) {
        if (copy == null) {
          copy = entries.clone();
        }
        copy[i] = entry.movedTo(values.move(entry.valueRef(), entry.valueLength()));
      }
    }
    return copy == null ? history : copy;
  }

  /** Drops the entries compaction no longer needs, freeing their values. */
  private Object compact(Object history, long bound) {
    Entry[] entries = entries(history);
    int first = entries.length;
    while (first > 0 && entries[first - 1].revision() >= bound) {
      first--;
    }
    if (first > 0 && !entries[first - 1].isTombstone()) {
      first--;
    }
    if (first == 0) {
      return history;
    }
    for (int i = 0; i < first; i++) {
      values.free(entries[i].valueRef(), entries[i].valueLength());
    }
    int kept = entries.length - first;
    if (kept == 0) {
      return null;
    }
    return kept == 1 ? entries[first] : Arrays.copyOfRange(entries, first, entries.length);
  }

  // ---- snapshot restore

  /** Empties the keyspace for a snapshot's keys, whose values are already in {@code newValues}. */
  void restore(long newRevision, long newCompactRevision, ValueArena newValues) {
    keys.clear();
    liveKeys = 0;
    values = newValues;
    revision = newRevision;
    compactRevision = newCompactRevision;
  }

  void restoreKey(byte[] key, Entry[] history) {
    keys.put(key, history.length == 1 ? history[0] : history);
    if (!history[history.length - 1].isTombstone()) {
      liveKeys++;
    }
  }

  // ---- history representation

  private KeyIndex.Cursor slice(byte[] key, byte[] rangeEnd) {
    if (rangeEnd.length == 0) {
      byte[] justAfter = Arrays.copyOf(key, key.length + 1); // the key alone: [key, key + 0x00)
      return keys.cursor(key, justAfter);
    }
    if (Arrays.equals(rangeEnd, KeyRanges.ALL_FROM_KEY)) {
      return keys.cursor(key, null);
    }
    if (KEY_ORDER.compare(key, rangeEnd) >= 0) {
      return keys.cursor(key, key); // empty
    }
    return keys.cursor(key, rangeEnd);
  }

  private static Object append(Object history, Entry entry) {
    if (history == null) {
      return entry;
    }
    Entry[] old = entries(history);
    Entry[] grown = Arrays.copyOf(old, old.length + 1);
    grown[old.length] = entry;
    return grown;
  }

  static Entry[] entries(Object history) {
    return history instanceof Entry e ? new Entry[] {e} : (Entry[]) history;
  }

  private static Entry newest(Object history) {
    if (history instanceof Entry e) {
      return e;
    }
    Entry[] entries = (Entry[]) history;
    return entries[entries.length - 1];
  }

  /** The newest entry written at or before main revision {@code rev}, or null. */
  private static Entry at(Object history, long rev) {
    long bound = Entry.pack(rev + 1, 0);
    if (history instanceof Entry e) {
      return e.revision() < bound ? e : null;
    }
    Entry[] entries = (Entry[]) history;
    for (int i = entries.length - 1; i >= 0; i--) {
      if (entries[i].revision() < bound) {
        return entries[i];
      }
    }
    return null;
  }

  KeyValue keyValue(byte[] key, Entry e, boolean keysOnly) {
    return keyValue(key, e, keysOnly ? Entry.NO_VALUE : value(e));
  }

  private static KeyValue keyValue(byte[] key, Entry e, byte[] value) {
    return new KeyValue(key, value, e.createRevision(), e.modRevision(), e.version(), e.lease());
  }

  private WatchEvent event(byte[] key, Entry entry, Entry prev) {
    KeyValue prevKv = prev == null ? null : keyValue(key, prev, false);
    if (entry.isTombstone()) {
      return new WatchEvent(WatchEvent.Type.DELETE,
          new KeyValue(key, Entry.NO_VALUE, 0, entry.modRevision(), 0, 0), prevKv);
    }
    return new WatchEvent(WatchEvent.Type.PUT, keyValue(key, entry, false), prevKv);
  }
}
