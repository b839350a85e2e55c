package dev.tugboat.control.apiserver.resources.watchcache;

import java.util.Map;

/**
 * Gives back an equal string seen before instead of the one given, so that the values which most cached objects
 * share (a namespace, {@code Always}, {@code default-scheduler}, {@code Pending}, a label) are kept once, not once per
 * object: parsed from each object's JSON, every one was a String and an array of its own, held for as long as the
 * object is cached. A fixed table indexed by hash, the newest string winning a slot: no lock (one cache's lock
 * guards it), no growth with the distinct values that go through it (names, addresses).
 */
final class RepeatedStrings {

  private static final int SLOTS = 4096;
  private final String[] table = new String[SLOTS];

  /** {@code value}, or an equal string given before. */
  String canonical(String value) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty()) {
      return "";
    }
    int slot = (value.hashCode() ^ (value.hashCode() >>> 16)) & (SLOTS - 1);
    String known = table[slot];
    if (value.equals(known)) {
      return known;
    }
    table[slot] = value;
    return value;
  }

  /** {@code map} with its keys and values made {@link #canonical}, immutable; the shared empty map if it is empty. */
  Map<String, String> canonicalMap(Map<String, String> map) {
    if (map.isEmpty()) {
      return Map.of();
    }
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] entries = new Map.Entry[map.size()];
    int i = 0;
    for (Map.Entry<String, String> entry : map.entrySet()) {
      entries[i++] = Map.entry(canonical(entry.getKey()), canonical(entry.getValue()));
    }
    return Map.ofEntries(entries);
  }
}
