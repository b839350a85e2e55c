package dev.tugboat.control.store.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The index against a TreeMap doing the same: every operation's answer, and the whole content in order. */
class KeyIndexTest {

  private final KeyIndex index = new KeyIndex();
  private final TreeMap<byte[], Object> reference = new TreeMap<>(KeySpace.KEY_ORDER);

  private static byte[] key(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void put(byte[] k, Object v) {
    assertThat(index.put(k, v)).isEqualTo(reference.put(k, v));
  }

  private static List<String> walk(KeyIndex.Cursor c) {
    List<String> seen = new ArrayList<>();
    while (c.next()) {
      seen.add(new String(c.key(), StandardCharsets.UTF_8) + "=" + c.value());
    }
    return seen;
  }

  private static List<String> walk(Map<byte[], Object> m) {
    List<String> seen = new ArrayList<>();
    m.forEach((k, v) -> seen.add(new String(k, StandardCharsets.UTF_8) + "=" + v));
    return seen;
  }

  private void assertSame() {
    assertThat(index.size()).isEqualTo(reference.size());
    assertThat(walk(index.cursor(null, null))).isEqualTo(walk(reference));
  }

  private void assertRanges(SplittableRandom rng, int bound) {
    for (int i = 0; i < 50; i++) {
      byte[] from = key(String.format("k%07d", rng.nextInt(bound)));
      byte[] to = key(String.format("k%07d", rng.nextInt(bound)));
      List<String> expected = KeySpace.KEY_ORDER.compare(from, to) < 0 ? walk(reference.subMap(from, to)) : List.of();
      assertThat(walk(index.cursor(from, to))).isEqualTo(expected);
      assertThat(walk(index.cursor(from, null))).isEqualTo(walk(reference.tailMap(from, true)));
    }
  }

  @Test
  void increasingKeysFillLeavesAndEverythingStaysInOrder() {
    for (int i = 0; i < 300_000; i++) { // three levels: more than 64 * 64 full leaves
      put(key(String.format("k%07d", i * 2)), i);
    }
    assertSame();
    assertRanges(new SplittableRandom(1), 600_000);
    // then keys between them, which split full leaves and inner nodes in halves
    SplittableRandom rng = new SplittableRandom(2);
    for (int i = 0; i < 100_000; i++) {
      put(key(String.format("k%07d", rng.nextInt(600_000))), "x" + i);
    }
    assertSame();
    assertRanges(rng, 600_000);
    for (int i = 0; i < 300_000; i += 3) {
      byte[] k = key(String.format("k%07d", i * 2));
      assertThat(index.get(k)).isEqualTo(reference.get(k));
    }
  }

  @Test
  void randomPutsRemovesAndReplacementsMatchATreeMap() {
    for (long seed = 0; seed < 20; seed++) {
      index.clear();
      reference.clear();
      SplittableRandom rng = new SplittableRandom(seed);
      int bound = 1 + rng.nextInt(20_000);
      for (int op = 0; op < 30_000; op++) {
        byte[] k = key(String.format("k%07d", rng.nextInt(bound)));
        switch (rng.nextInt(4)) {
          case 0, 1 -> put(k, op);
          case 2 -> assertThat(index.remove(k)).isEqualTo(reference.remove(k));
          default -> assertThat(index.get(k)).isEqualTo(reference.get(k));
        }
      }
      assertSame();
      assertRanges(rng, bound);
      int modulus = 2 + rng.nextInt(3);
      index.replaceAll((k, v) -> v instanceof Integer n && n % modulus == 0 ? null : v + "!");
      reference.replaceAll((k, v) -> v instanceof Integer n && n % modulus == 0 ? null : v + "!");
      reference.values().removeIf(v -> v == null);
      assertSame();
      for (int i = 0; i < 5_000; i++) { // keys come back into emptied leaves
        put(key(String.format("k%07d", rng.nextInt(bound))), -i);
      }
      assertSame();
      assertRanges(rng, bound);
    }
  }

  /**
   * A write looks its key up, then puts it: the put goes to the leaf the lookup found, unless the index changed in
   * between (another put, a remove, a split, replaceAll, clear), when it descends again.
   */
  @Test
  void putAfterGetOfTheSameKeyMatchesATreeMapWhateverHappensBetween() {
    for (long seed = 0; seed < 20; seed++) {
      index.clear();
      reference.clear();
      SplittableRandom rng = new SplittableRandom(seed);
      int bound = 1 + rng.nextInt(20_000);
      for (int op = 0; op < 30_000; op++) {
        byte[] k = key(String.format("k%07d", rng.nextInt(bound)));
        assertThat(index.get(k)).isEqualTo(reference.get(k));
        byte[] other = key(String.format("k%07d", rng.nextInt(bound)));
        switch (rng.nextInt(8)) {
          case 0 -> put(other, "other" + op);
          case 1 -> assertThat(index.remove(other)).isEqualTo(reference.remove(other));
          case 2 -> assertThat(index.get(other)).isEqualTo(reference.get(other));
          case 3 -> {
            if (rng.nextInt(100) == 0) {
              index.replaceAll((kk, v) -> v instanceof Integer n && n % 3 == 0 ? null : v);
              reference.values().removeIf(v -> v instanceof Integer n && n % 3 == 0);
            }
          }
          default -> { } // nothing between: the put takes the lookup's leaf
        }
        if (rng.nextInt(4) == 0) {
          assertThat(index.remove(k)).isEqualTo(reference.remove(k));
        } else {
          put(k, op);
        }
      }
      assertSame();
      assertRanges(rng, bound);
    }
  }

  @Test
  void putAfterGetIntoAFullLeafSplitsIt() {
    for (int i = 0; i < KeyIndex.FANOUT * 3; i++) {
      put(key(String.format("k%07d", i * 2)), i);
    }
    for (int i = 0; i < KeyIndex.FANOUT * 3; i++) { // every leaf full: each put after its get splits one
      byte[] k = key(String.format("k%07d", i * 2 + 1));
      assertThat(index.get(k)).isNull();
      put(k, -i);
    }
    assertSame();
    index.clear();
    reference.clear();
    byte[] k = key("k");
    assertThat(index.get(k)).isNull();
    index.clear();
    put(k, 1);
    assertSame();
  }

  @Test
  void emptyAndSingleKeyRanges() {
    assertThat(walk(index.cursor(null, null))).isEmpty();
    assertThat(index.get(key("a"))).isNull();
    assertThat(index.remove(key("a"))).isNull();
    put(key("a"), 1);
    put(key("a\0"), 2);
    put(key("b"), 3);
    assertThat(walk(index.cursor(key("a"), key("a\0")))).containsExactly("a=1");
    assertThat(walk(index.cursor(key("a"), key("a")))).isEmpty();
    assertThat(walk(index.cursor(key("a\0"), null))).containsExactly("a\0=2", "b=3");
    assertThat(walk(index.cursor(key("c"), null))).isEmpty();
  }
}
