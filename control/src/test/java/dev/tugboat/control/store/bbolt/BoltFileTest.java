package dev.tugboat.control.store.bbolt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BoltWriter} and {@link BoltReader}: the files one writes, the other reads, and bbolt's own checks hold. */
class BoltFileTest {
  @TempDir
  Path dir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes buckets (name -> keys and values, both in order) and returns the file. */
  private Path write(Map<String, List<byte[][]>> buckets) throws IOException {
    Path file = Files.createTempFile(dir, "db", ".db");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
      BoltWriter w = new BoltWriter(out, BoltPages.DEFAULT_PAGE_SIZE);
      List<String> names = new ArrayList<>(buckets.keySet());
      names.sort((x, y) -> Arrays.compareUnsigned(b(x), b(y)));
      for (String name : names) {
        w.beginBucket(b(name));
        for (byte[][] kv : buckets.get(name)) {
          w.put(kv[0], kv[1]);
        }
      }
      long size = w.finish();
      assertThat(Files.size(file)).isEqualTo(size);
    }
    return file;
  }

  private static List<byte[][]> read(BoltReader r, String bucket) throws IOException {
    List<byte[][]> got = new ArrayList<>();
    assertThat(r.forEach(b(bucket), (k, v) -> got.add(new byte[][] {k, v}))).as("bucket %s", bucket).isTrue();
    return got;
  }

  private static BoltReader open(Path file, FileChannel in) throws IOException {
    return BoltReader.open(in, Files.size(file));
  }

  /** Sorted distinct keys with values of the given sizes. */
  private static List<byte[][]> entries(int n, int valueSize, long seed) {
    Random random = new Random(seed);
    List<byte[][]> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] value = new byte[valueSize];
      random.nextBytes(value);
      list.add(new byte[][] {b(String.format("key/%08d", i)), value});
    }
    return list;
  }

  private static void assertSame(List<byte[][]> got, List<byte[][]> expected) {
    assertThat(got).hasSize(expected.size());
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i)[0]).as("key %d", i).isEqualTo(expected.get(i)[0]);
      assertThat(got.get(i)[1]).as("value %d", i).isEqualTo(expected.get(i)[1]);
    }
  }

  /**
   * bbolt's Tx.Check: every page below the high water mark is reachable exactly once (metas, freelist, each
   * bucket's pages with their overflow) and carries its own id; the freelist here is empty.
   */
  private static void assertEveryPageReachableOnce(Path file) throws IOException {
    ByteBuffer all = BoltPages.little(ByteBuffer.wrap(Files.readAllBytes(file)));
    int pageSize = all.getInt(BoltPages.META_PAGE_SIZE);
    long pages = all.getLong(BoltPages.META_PGID);
    Map<Long, Integer> seen = new HashMap<>();
    seen.merge(0L, 1, Integer::sum);
    seen.merge(1L, 1, Integer::sum);
    long freelist = all.getLong(BoltPages.META_FREELIST);
    assertThat(all.getShort((int) (freelist * pageSize) + BoltPages.FLAGS_OFFSET))
        .isEqualTo((short) BoltPages.FREELIST);
    assertThat(all.getShort((int) (freelist * pageSize) + BoltPages.COUNT_OFFSET)).isZero();
    seen.merge(freelist, 1, Integer::sum);
    List<Long> todo = new ArrayList<>(List.of(all.getLong(BoltPages.META_ROOT)));
    boolean root = true;
    while (!todo.isEmpty()) {
      long id = todo.remove(todo.size() - 1);
      int at = (int) (id * pageSize);
      assertThat(all.getLong(at)).as("page %d's id", id).isEqualTo(id);
      int overflow = all.getInt(at + BoltPages.OVERFLOW_OFFSET);
      for (long p = id; p <= id + overflow; p++) {
        seen.merge(p, 1, Integer::sum);
      }
      int flags = all.getShort(at + BoltPages.FLAGS_OFFSET);
      int count = all.getShort(at + BoltPages.COUNT_OFFSET) & 0xffff;
      for (int i = 0; i < count; i++) {
        int e = at + BoltPages.HEADER + i * BoltPages.ELEMENT;
        if (flags == BoltPages.BRANCH) {
          todo.add(all.getLong(e + 8));
        } else if (root) {
          assertThat(all.getInt(e)).isEqualTo(BoltPages.BUCKET_LEAF_FLAG);
          todo.add(all.getLong(e + all.getInt(e + 4) + all.getInt(e + 8)));
        }
      }
      if (flags == BoltPages.LEAF && id == all.getLong(BoltPages.META_ROOT)) {
        root = false; // the root bucket is one leaf here: what follows are the buckets' pages
      }
    }
    for (long p = 0; p < pages; p++) {
      assertThat(seen.get(p)).as("references to page %d of %d", p, pages).isEqualTo(1);
    }
    assertThat(seen).hasSize((int) pages);
  }

  @Test
  void fnv64aIsGosHashFnvNew64a() {
    ByteBuffer empty = ByteBuffer.allocate(0);
    assertThat(BoltPages.fnv64a(empty, 0, 0)).isEqualTo(0xcbf29ce484222325L);
    assertThat(BoltPages.fnv64a(ByteBuffer.wrap(b("a")), 0, 1)).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(BoltPages.fnv64a(ByteBuffer.wrap(b("foobar")), 0, 6)).isEqualTo(0x85944171f73967e8L);
  }

  @Test
  void bucketsSmallLargeAndEmptyReadBackInOrder() throws IOException {
    Map<String, List<byte[][]>> buckets = new HashMap<>();
    buckets.put("empty", List.of());
    buckets.put("one", List.<byte[][]>of(new byte[][] {b("k"), b("v")}));
    buckets.put("emptyValue", List.<byte[][]>of(new byte[][] {b("k"), new byte[0]}));
    buckets.put("many", entries(5000, 100, 1)); // leaves under a branch
    buckets.put("deep", entries(60000, 200, 2)); // branches under a branch
    buckets.put("huge", entries(3, 3 * BoltPages.DEFAULT_PAGE_SIZE + 5, 3)); // overflow pages
    buckets.put("mixed", List.<byte[][]>of(new byte[][] {b("a"), new byte[10]},
        new byte[][] {b("b"), new byte[BoltPages.DEFAULT_PAGE_SIZE * 2]}, new byte[][] {b("c"), new byte[1]}));
    Path file = write(buckets);
    assertEveryPageReachableOnce(file);
    try (FileChannel in = FileChannel.open(file)) {
      BoltReader r = open(file, in);
      assertThat(r.bucketNames()).extracting(n -> new String(n, StandardCharsets.UTF_8))
          .containsExactly("deep", "empty", "emptyValue", "huge", "many", "mixed", "one");
      for (var e : buckets.entrySet()) {
        assertSame(read(r, e.getKey()), e.getValue());
      }
      assertThat(r.forEach(b("missing"), (k, v) -> { })).isFalse();
      assertThat(r.size()).isEqualTo(Files.size(file));
      assertThat(r.meta().txid()).isEqualTo(1);
    }
  }

  @Test
  void metasNameTheRootFreelistAndSizeWithBboltsChecksum() throws IOException {
    Path file = write(Map.of("b", entries(10, 10, 4)));
    ByteBuffer all = BoltPages.little(ByteBuffer.wrap(Files.readAllBytes(file)));
    for (int id = 0; id < 2; id++) {
      ByteBuffer page = BoltPages.little(all.slice(id * 4096, 4096));
      assertThat(page.getLong(0)).isEqualTo(id);
      assertThat(page.getShort(BoltPages.FLAGS_OFFSET)).isEqualTo((short) BoltPages.META);
      assertThat(page.getInt(BoltPages.META_MAGIC)).isEqualTo(0xED0CDAED);
      assertThat(page.getInt(BoltPages.META_VERSION)).isEqualTo(2);
      assertThat(page.getInt(BoltPages.META_PAGE_SIZE)).isEqualTo(4096);
      assertThat(page.getLong(BoltPages.META_PGID) * 4096).isEqualTo(Files.size(file));
      assertThat(page.getLong(BoltPages.META_TXID)).isEqualTo(id);
      assertThat(page.getLong(BoltPages.META_CHECKSUM)).isEqualTo(BoltPages.fnv64a(page, 16, 72));
    }
  }

  @Test
  void aDamagedMetaFallsBackToTheOtherAndTwoAreRefused() throws IOException {
    List<byte[][]> kvs = entries(10, 10, 5);
    Path file = write(Map.of("b", kvs));
    byte[] bytes = Files.readAllBytes(file);
    bytes[4096 + BoltPages.META_ROOT] ^= 1; // meta 1, the newer: its checksum no longer matches
    Files.write(file, bytes);
    try (FileChannel in = FileChannel.open(file)) {
      BoltReader r = open(file, in);
      assertThat(r.meta().txid()).isZero();
      assertSame(read(r, "b"), kvs);
    }
    bytes[BoltPages.META_PGID] ^= 1;
    Files.write(file, bytes);
    try (FileChannel in = FileChannel.open(file)) {
      assertThatThrownBy(() -> open(file, in)).isInstanceOf(BoltFormatException.class)
          .hasMessageContaining("meta page 0: checksum").hasMessageContaining("meta page 1: checksum");
    }
  }

  @Test
  void whatIsNotBboltIsRefusedSayingWhy() throws IOException {
    Path text = dir.resolve("text");
    Files.write(text, "hello, this is not a database at all; it is text. ".repeat(200).getBytes());
    try (FileChannel in = FileChannel.open(text)) {
      assertThatThrownBy(() -> open(text, in)).isInstanceOf(BoltFormatException.class)
          .hasMessageContaining("not a bbolt database").hasMessageContaining("magic")
          .matches(e -> ((BoltFormatException) e).notBbolt(), "says the file is something else");
    }
    Path tiny = dir.resolve("tiny");
    Files.write(tiny, new byte[10]);
    try (FileChannel in = FileChannel.open(tiny)) {
      assertThatThrownBy(() -> open(tiny, in)).isInstanceOf(BoltFormatException.class)
          .hasMessageContaining("not a bbolt database");
    }
  }

  @Test
  void aCutShortFileIsRefusedBeforeAnyPageIsRead() throws IOException {
    Path file = write(Map.of("b", entries(2000, 100, 6)));
    long size = Files.size(file);
    try (FileChannel in = FileChannel.open(file)) {
      for (long cut : new long[] {size - 1, size - 4096, 8192 + 100}) {
        assertThatThrownBy(() -> BoltReader.open(in, cut)).as("cut at %d", cut)
            .isInstanceOf(BoltFormatException.class).hasMessageContaining("cut short")
            .matches(e -> !((BoltFormatException) e).notBbolt(), "says the database is damaged");
      }
    }
  }

  @Test
  void damagedPagesAreNamed() throws IOException {
    Path file = write(Map.of("b", entries(2000, 100, 7)));
    byte[] good = Files.readAllBytes(file);
    ByteBuffer all = BoltPages.little(ByteBuffer.wrap(good));
    int root = (int) all.getLong(BoltPages.META_ROOT);
    // the bucket's root is a branch (2000 keys): its first child
    int rootLeaf = root * 4096;
    int bucketRootAt = rootLeaf + BoltPages.HEADER + all.getInt(rootLeaf + BoltPages.HEADER + 4)
        + all.getInt(rootLeaf + BoltPages.HEADER + 8);
    int bucketRoot = (int) all.getLong(bucketRootAt);
    assertThat(all.getShort(bucketRoot * 4096 + BoltPages.FLAGS_OFFSET)).isEqualTo((short) BoltPages.BRANCH);
    int firstChild = (int) all.getLong(bucketRoot * 4096 + BoltPages.HEADER + 8);

    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putLong(firstChild * 4096, 99), "says it is page 99");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putShort(firstChild * 4096 + 8, (short) 0x20),
        "flags 20");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putLong(bucketRoot * 4096 + 24, 1),
        "page 1 is not a data page");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putLong(bucketRoot * 4096 + 24, 1L << 40),
        "is not a data page");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putInt(firstChild * 4096 + 16 + 12, 1 << 20),
        "runs past the page's end");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putShort(firstChild * 4096 + 10, (short) 0xfff0),
        "elements do not fit");
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putInt(firstChild * 4096 + 12, 1 << 20),
        "past the database's end");
    // a branch that points at itself
    assertDamage(good, b -> BoltPages.little(ByteBuffer.wrap(b)).putLong(bucketRoot * 4096 + 24, bucketRoot),
        "the tree loops");
  }

  private void assertDamage(byte[] good, java.util.function.Consumer<byte[]> damage, String message)
      throws IOException {
    byte[] bytes = good.clone();
    damage.accept(bytes);
    Path file = dir.resolve("damaged");
    Files.write(file, bytes);
    try (FileChannel in = FileChannel.open(file)) {
      BoltReader r = open(file, in);
      assertThatThrownBy(() -> r.forEach(b("b"), (k, v) -> { })).as(message)
          .isInstanceOf(BoltFormatException.class).hasMessageContaining("bucket b").hasMessageContaining(message);
    }
  }

  @Test
  void inlineAndNestedBucketsAsBboltWritesThemAreRead() throws IOException {
    // bbolt keeps a small bucket inline: its header (root 0) then a leaf page, in its parent's value
    Path file = write(Map.of("outer", List.of()));
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer all = BoltPages.little(ByteBuffer.wrap(bytes));
    int rootAt = (int) all.getLong(BoltPages.META_ROOT) * 4096;
    ByteBuffer inline = BoltPages.little(ByteBuffer.allocate(16 + 16 + 2 * 16 + 4 + 2));
    inline.putLong(0, 0).putShort(16 + 8, (short) BoltPages.LEAF).putShort(16 + 10, (short) 2);
    int e0 = 32;
    int e1 = 48;
    int data = 64;
    inline.putInt(e0, 0).putInt(e0 + 4, data - e0).putInt(e0 + 8, 1).putInt(e0 + 12, 2);
    inline.put(data, b("ak1"));
    inline.putInt(e1, BoltPages.BUCKET_LEAF_FLAG).putInt(e1 + 4, data + 3 - e1).putInt(e1 + 8, 1)
        .putInt(e1 + 12, 2);
    inline.put(data + 3, b("n00"));
    // rewrite the root leaf: one bucket "in" whose value is the inline bucket
    ByteBuffer page = all.slice(rootAt, 4096).order(all.order());
    page.putShort(BoltPages.COUNT_OFFSET, (short) 1);
    page.putInt(16, BoltPages.BUCKET_LEAF_FLAG).putInt(20, 16).putInt(24, 2).putInt(28, inline.capacity());
    page.put(32, b("in")).put(34, inline.array());
    Files.write(file, bytes);
    try (FileChannel in = FileChannel.open(file)) {
      BoltReader r = open(file, in);
      List<byte[][]> got = read(r, "in");
      assertThat(got).hasSize(2);
      assertThat(got.get(0)[0]).isEqualTo(b("a"));
      assertThat(got.get(0)[1]).isEqualTo(b("k1"));
      assertThat(got.get(1)[0]).isEqualTo(b("n"));
      assertThat(got.get(1)[1]).as("a nested bucket has no value, as in bbolt's ForEach").isNull();
    }
  }

  @Test
  void keysOutOfOrderOrEmptyAreRefusedByTheWriter() throws IOException {
    Path file = dir.resolve("refused.db");
    try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      BoltWriter w = new BoltWriter(out, 4096);
      w.beginBucket(b("b"));
      w.put(b("b"), b("1"));
      assertThatThrownBy(() -> w.put(b("a"), b("2"))).hasMessageContaining("out of order");
      assertThatThrownBy(() -> w.put(b("b"), b("2"))).hasMessageContaining("out of order");
      assertThatThrownBy(() -> w.put(new byte[0], b("2"))).hasMessageContaining("never empty");
      // unsigned order: 0xff sorts after 'z'
      w.put(new byte[] {(byte) 0xff}, b("3"));
      assertThatThrownBy(() -> w.beginBucket(b("a"))).hasMessageContaining("out of order");
    }
    assertThatThrownBy(() -> new BoltWriter(null, 1000)).hasMessageContaining("power of two");
  }
}
