package dev.tugboat.control.store.bbolt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The layout of a bbolt file, as bbolt's page.go, db.go and bucket.go define it. Every number is little endian
 * (bbolt casts its structs straight onto the memory map, and etcd runs on little-endian machines).
 *
 * <pre>
 *   page header    id u64 | flags u16 | count u16 | overflow u32                       16 bytes, at every page start
 *   meta (page 0, 1, after the header)
 *                  magic u32 | version u32 | pageSize u32 | flags u32 | root bucket (root u64, sequence u64)
 *                  | freelist u64 | pgid (high water mark) u64 | txid u64 | checksum u64 (FNV-64a of the 56 before)
 *   leaf element   flags u32 | pos u32 | ksize u32 | vsize u32   pos: from the element to its key, value follows
 *   branch element pos u32 | ksize u32 | pgid u64                pos: from the element to its key
 *   bucket value   root u64 | sequence u64, then, if root is 0 (an inline bucket), a leaf page in the value itself
 *   freelist       count page ids u64 (count 0xFFFF: the real count is the first u64)
 * </pre>
 *
 * A page whose content is longer than the page size runs on into {@code overflow} more pages.
 */
public final class BoltPages {
  public static final int MAGIC = 0xED0CDAED;
  public static final int VERSION = 2;
  /** The page size bbolt picks on x86-64 Linux (the OS page size); a reader takes the file's own from its meta. */
  public static final int DEFAULT_PAGE_SIZE = 4096;

  public static final int HEADER = 16;
  public static final int FLAGS_OFFSET = 8;
  public static final int COUNT_OFFSET = 10;
  public static final int OVERFLOW_OFFSET = 12;

  public static final int BRANCH = 0x01;
  public static final int LEAF = 0x02;
  public static final int META = 0x04;
  public static final int FREELIST = 0x10;

  public static final int ELEMENT = 16;
  /** A leaf element's flag for a value that is a nested bucket. */
  public static final int BUCKET_LEAF_FLAG = 0x01;
  public static final int BUCKET_HEADER = 16;
  /** A page's count field is 16 bits; a page holds fewer elements than this. */
  public static final int MAX_COUNT = 0xFFFF;
  /** A freelist page with this count stores its real count in its first u64. */
  public static final int FREELIST_COUNT_OVERFLOW = 0xFFFF;
  /** meta.freelist when the freelist is not stored (bbolt's NoFreelistSync): readers rebuild it. */
  public static final long NO_FREELIST = -1L;

  // meta fields, from the page start
  static final int META_MAGIC = HEADER;
  static final int META_VERSION = HEADER + 4;
  static final int META_PAGE_SIZE = HEADER + 8;
  static final int META_FLAGS = HEADER + 12;
  static final int META_ROOT = HEADER + 16;
  static final int META_SEQUENCE = HEADER + 24;
  static final int META_FREELIST = HEADER + 32;
  static final int META_PGID = HEADER + 40;
  static final int META_TXID = HEADER + 48;
  static final int META_CHECKSUM = HEADER + 56;
  static final int META_END = HEADER + 64;

  private static final long FNV64_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV64_PRIME = 0x100000001b3L;

  private BoltPages() {}

  /** A buffer in bbolt's byte order. */
  public static ByteBuffer little(ByteBuffer b) {
    return b.order(ByteOrder.LITTLE_ENDIAN);
  }

  /** FNV-64a, bbolt's meta checksum (Go's hash/fnv New64a). */
  public static long fnv64a(ByteBuffer b, int from, int to) {
    long h = FNV64_OFFSET;
    for (int i = from; i < to; i++) {
      h ^= b.get(i) & 0xff;
      h *= FNV64_PRIME;
    }
    return h;
  }

  /** How many pages {@code bytes} bytes of page content take. */
  static int pagesFor(long bytes, int pageSize) {
    return (int) ((bytes + pageSize - 1) / pageSize);
  }

  /** What a meta page holds; {@code root} is the page of the root bucket (the bucket of buckets). */
  public record Meta(int pageSize, long root, long freelist, long highWaterMark, long txid) {

    /** Writes a meta page: header and fields, checksum last. */
    void writeTo(ByteBuffer page, long pageId) {
      page.putLong(0, pageId);
      page.putShort(FLAGS_OFFSET, (short) META);
      page.putInt(META_MAGIC, MAGIC);
      page.putInt(META_VERSION, VERSION);
      page.putInt(META_PAGE_SIZE, pageSize);
      page.putInt(META_FLAGS, 0);
      page.putLong(META_ROOT, root);
      page.putLong(META_SEQUENCE, 0);
      page.putLong(META_FREELIST, freelist);
      page.putLong(META_PGID, highWaterMark);
      page.putLong(META_TXID, txid);
      page.putLong(META_CHECKSUM, fnv64a(page, META_MAGIC, META_CHECKSUM));
    }

    /**
     * Reads and checks the meta at the start of {@code page} (as bbolt's meta.validate: magic, version, checksum).
     *
     * @return the meta, or null with the reason in {@code why[0]}
     */
    static Meta read(ByteBuffer page, String[] why) {
      if (page.limit() < META_END) {
        why[0] = "shorter than a meta page";
        return null;
      }
      if (page.getInt(META_MAGIC) != MAGIC) {
        why[0] = String.format("magic %08x is not bbolt's %08x", page.getInt(META_MAGIC), MAGIC);
        return null;
      }
      if (page.getInt(META_VERSION) != VERSION) {
        why[0] = "version " + page.getInt(META_VERSION) + " is not bbolt's " + VERSION;
        return null;
      }
      long checksum = fnv64a(page, META_MAGIC, META_CHECKSUM);
      if (page.getLong(META_CHECKSUM) != checksum) {
        why[0] = String.format("checksum %016x does not match its content (%016x)", page.getLong(META_CHECKSUM),
            checksum);
        return null;
      }
      return new Meta(page.getInt(META_PAGE_SIZE), page.getLong(META_ROOT), page.getLong(META_FREELIST),
          page.getLong(META_PGID), page.getLong(META_TXID));
    }
  }
}
