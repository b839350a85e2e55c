package dev.tugboat.control.store.mvcc;

import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * The keyspace's keys in order, each with its history: a B+ tree whose nodes are arrays of up to 64 keys.
 *
 * <p>Why not a {@link java.util.TreeMap}: its node costs 40 bytes per key, the largest object of a store holding
 * millions of keys after the key itself. Here a key costs two array slots (8 bytes) in a full leaf. Keys written in
 * increasing order (most stores' case: names with counters, revisions) fill leaves completely, as a leaf that
 * overflows at its end keeps all it holds and starts a new one; other inserts split a leaf in halves.
 *
 * <p>Removing a key shifts its leaf; leaves are never merged, so a leaf may be left empty until keys in its range
 * come back (separators stay valid bounds, so lookups are unaffected). Not thread-safe; {@link KeySpace} serializes
 * access. Keys are compared as unsigned bytes and never changed once in the index.
 */
final class KeyIndex {

  static final int FANOUT = 64;

  private static final class Leaf {
    final byte[][] keys = new byte[FANOUT][];
    final Object[] values = new Object[FANOUT];
    int size;
    Leaf next;
  }

  private static final class Inner {
    /** {@code keys[i]} is the smallest key of {@code children[i + 1]}'s subtree (or a bound below it). */
    final byte[][] keys = new byte[FANOUT][];
    final Object[] children = new Object[FANOUT + 1];
    int size;
  }

  private Object root = new Leaf();
  private Leaf first = (Leaf) root;
  private int size;
  /**
   * The key the last {@link #get} looked up, the leaf it searched and what the search returned, until the index
   * changes: a write of a key looks it up first (for its history), and {@link #put} of that same key then goes
   * straight to the leaf instead of descending the tree again.
   */
  private byte[] lastKey;
  private Leaf lastLeaf;
  private int lastSearch;

  int size() {
    return size;
  }

  void clear() {
    lastKey = null;
    root = new Leaf();
    first = (Leaf) root;
    size = 0;
  }

  Object get(byte[] key) {
    Leaf leaf = leafFor(key);
    int i = search(leaf.keys, leaf.size, key);
    lastKey = key;
    lastLeaf = leaf;
    lastSearch = i;
    return i >= 0 ? leaf.values[i] : null;
  }

  /** Maps {@code key} to {@code value} (not null); returns the value it replaced, or null. */
  Object put(byte[] key, Object value) {
    boolean looked = key == lastKey;
    lastKey = null;
    if (looked) {
      Leaf leaf = lastLeaf;
      int i = lastSearch;
      if (i >= 0) {
        Object old = leaf.values[i];
        leaf.values[i] = value;
        return old;
      }
      if (leaf.size < FANOUT) {
        size++;
        insert(leaf, -i - 1, key, value);
        return null;
      }
      // a full leaf splits, which needs the path from the root: descend
    }
    Object split = put(root, key, value);
    if (split instanceof Split s) {
      Inner top = new Inner();
      top.children[0] = root;
      top.keys[0] = s.separator;
      top.children[1] = s.right;
      top.size = 1;
      root = top;
      return null;
    }
    return split == NEW ? null : split;
  }

  /** Removes {@code key}; returns its value, or null if it was not there. */
  Object remove(byte[] key) {
    lastKey = null;
    Leaf leaf = leafFor(key);
    int i = search(leaf.keys, leaf.size, key);
    if (i < 0) {
      return null;
    }
    Object old = leaf.values[i];
    removeAt(leaf, i);
    return old;
  }

  /**
   * Replaces every value by what {@code change} returns for it, in key order; a null result removes the key.
   * {@code change} must not touch the index.
   */
  void replaceAll(BiFunction<byte[], Object, Object> change) {
    lastKey = null;
    for (Leaf leaf = first; leaf != null; leaf = leaf.next) {
      int kept = 0;
      int n = leaf.size;
      for (int i = 0; i < n; i++) {
        Object value = change.apply(leaf.keys[i], leaf.values[i]);
        if (value != null) {
          leaf.keys[kept] = leaf.keys[i];
          leaf.values[kept] = value;
          kept++;
        }
      }
      Arrays.fill(leaf.keys, kept, n, null);
      Arrays.fill(leaf.values, kept, n, null);
      size -= n - kept;
      leaf.size = kept;
    }
  }

  /** The keys in {@code [from, to)} with their values, in order; a null bound is open. */
  Cursor cursor(byte[] from, byte[] to) {
    Leaf leaf = from == null ? first : leafFor(from);
    int i = from == null ? 0 : lowerBound(leaf.keys, leaf.size, from);
    return new Cursor(leaf, i - 1, to);
  }

  /** Walks keys in order: {@code while (c.next()) { c.key(); c.value(); }}. The index must not change meanwhile. */
  static final class Cursor {
    private Leaf leaf;
    private int index;
    private final byte[] to;

    private Cursor(Leaf leaf, int index, byte[] to) {
      this.leaf = leaf;
      this.index = index;
      this.to = to;
    }

    boolean next() {
      index++;
      while (leaf != null && index >= leaf.size) {
        leaf = leaf.next;
        index = 0;
      }
      if (leaf == null) {
        return false;
      }
      if (to != null && KeySpace.KEY_ORDER.compare(leaf.keys[index], to) >= 0) {
        leaf = null;
        return false;
      }
      return true;
    }

    byte[] key() {
      return leaf.keys[index];
    }

    Object value() {
      return leaf.values[index];
    }
  }

  // ---- tree

  private record Split(byte[] separator, Object right) {}

  /** What {@link #put(Object, byte[], Object)} returns for a key that was not there and split nothing. */
  private static final Object NEW = new Object();

  /** Puts into the subtree at {@code node}: the replaced value, {@link #NEW}, or a {@link Split} for the parent. */
  private Object put(Object node, byte[] key, Object value) {
    if (node instanceof Leaf leaf) {
      int i = search(leaf.keys, leaf.size, key);
      if (i >= 0) {
        Object old = leaf.values[i];
        leaf.values[i] = value;
        return old;
      }
      size++;
      return insert(leaf, -i - 1, key, value);
    }
    Inner inner = (Inner) node;
    int child = childIndex(inner, key);
    Object result = put(inner.children[child], key, value);
    if (!(result instanceof Split s)) {
      return result;
    }
    return insert(inner, child, s.separator, s.right);
  }

  private Object insert(Leaf leaf, int at, byte[] key, Object value) {
    if (leaf.size < FANOUT) {
      System.arraycopy(leaf.keys, at, leaf.keys, at + 1, leaf.size - at);
      System.arraycopy(leaf.values, at, leaf.values, at + 1, leaf.size - at);
      leaf.keys[at] = key;
      leaf.values[at] = value;
      leaf.size++;
      return NEW;
    }
    Leaf right = new Leaf();
    right.next = leaf.next;
    leaf.next = right;
    // Appending past the last leaf's end leaves the full leaf as it is: increasing keys fill leaves completely.
    int keep = at == FANOUT && right.next == null ? FANOUT : FANOUT / 2;
    int moved = FANOUT - keep;
    System.arraycopy(leaf.keys, keep, right.keys, 0, moved);
    System.arraycopy(leaf.values, keep, right.values, 0, moved);
    Arrays.fill(leaf.keys, keep, FANOUT, null);
    Arrays.fill(leaf.values, keep, FANOUT, null);
    leaf.size = keep;
    right.size = moved;
    if (at <= keep && keep < FANOUT) {
      insert(leaf, at, key, value);
    } else {
      insert(right, at - keep, key, value);
    }
    return new Split(right.keys[0], right);
  }

  /** Inserts separator {@code key} with {@code right} after child {@code child}; splits a full node. */
  private static Object insert(Inner inner, int child, byte[] key, Object right) {
    if (inner.size < FANOUT) {
      System.arraycopy(inner.keys, child, inner.keys, child + 1, inner.size - child);
      System.arraycopy(inner.children, child + 1, inner.children, child + 2, inner.size - child);
      inner.keys[child] = key;
      inner.children[child + 1] = right;
      inner.size++;
      return NEW;
    }
    // Full: lay out the FANOUT + 1 separators and FANOUT + 2 children, keep the lower half, push the middle up.
    byte[][] keys = new byte[FANOUT + 1][];
    Object[] children = new Object[FANOUT + 2];
    System.arraycopy(inner.keys, 0, keys, 0, child);
    keys[child] = key;
    System.arraycopy(inner.keys, child, keys, child + 1, FANOUT - child);
    System.arraycopy(inner.children, 0, children, 0, child + 1);
    children[child + 1] = right;
    System.arraycopy(inner.children, child + 1, children, child + 2, FANOUT - child);
    boolean appending = child == FANOUT;
    int keep = appending ? FANOUT : FANOUT / 2;
    Inner sibling = new Inner();
    Arrays.fill(inner.keys, null);
    Arrays.fill(inner.children, null);
    System.arraycopy(keys, 0, inner.keys, 0, keep);
    System.arraycopy(children, 0, inner.children, 0, keep + 1);
    inner.size = keep;
    int siblingKeys = FANOUT - keep;
    System.arraycopy(keys, keep + 1, sibling.keys, 0, siblingKeys);
    System.arraycopy(children, keep + 1, sibling.children, 0, siblingKeys + 1);
    sibling.size = siblingKeys;
    return new Split(keys[keep], sibling);
  }

  private void removeAt(Leaf leaf, int i) {
    System.arraycopy(leaf.keys, i + 1, leaf.keys, i, leaf.size - i - 1);
    System.arraycopy(leaf.values, i + 1, leaf.values, i, leaf.size - i - 1);
    leaf.size--;
    leaf.keys[leaf.size] = null;
    leaf.values[leaf.size] = null;
    size--;
  }

  private Leaf leafFor(byte[] key) {
    Object node = root;
    while (node instanceof Inner inner) {
      node = inner.children[childIndex(inner, key)];
    }
    return (Leaf) node;
  }

  /** The child whose subtree holds {@code key}: the number of separators at or below it. */
  private static int childIndex(Inner inner, byte[] key) {
    int lo = 0;
    int hi = inner.size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (KeySpace.KEY_ORDER.compare(inner.keys[mid], key) <= 0) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** {@code key}'s index, or {@code -(insertion point) - 1}. */
  private static int search(byte[][] keys, int size, byte[] key) {
    int lo = 0;
    int hi = size - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = KeySpace.KEY_ORDER.compare(keys[mid], key);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -lo - 1;
  }

  /** The index of the first key at or after {@code key}. */
  private static int lowerBound(byte[][] keys, int size, byte[] key) {
    int i = search(keys, size, key);
    return i >= 0 ? i : -i - 1;
  }
}
