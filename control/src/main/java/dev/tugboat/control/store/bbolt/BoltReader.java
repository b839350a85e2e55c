package dev.tugboat.control.store.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the buckets of a bbolt database, as any bbolt wrote it: the valid meta with the larger transaction id, the
 * root bucket, and each bucket's tree of branch and leaf pages (or its inline page). Every page is checked as it is
 * read (its id, type, that it lies below the high water mark and inside the file, that its elements lie inside it),
 * so a damaged file fails with {@link BoltFormatException} saying where, never with an exception from deep inside.
 * Freed pages are never read.
 */
public final class BoltReader {
  /** Deeper than any tree of a file of 2^64 bytes: a deeper walk is a loop in a damaged file. */
  private static final int MAX_DEPTH = 64;

  /** Receives a bucket's keys in order; {@code value} is null for a nested bucket, as in bbolt's ForEach. */
  @FunctionalInterface
  public interface Visitor {
    void accept(byte[] key, byte[] value) throws IOException;
  }

  private final FileChannel in;
  private final long length;
  private final BoltPages.Meta meta;

  private BoltReader(FileChannel in, long length, BoltPages.Meta meta) {
    this.in = in;
    this.length = length;
    this.meta = meta;
  }

  /**
   * Opens the database in the first {@code length} bytes of {@code in}.
   *
   * @throws BoltFormatException if neither meta page is valid, or the file is shorter than its meta says
   */
  public static BoltReader open(FileChannel in, long length) throws IOException {
    ByteBuffer first = read(in, length, 0, (int) Math.min(length, BoltPages.META_END));
    String[] why0 = new String[1];
    BoltPages.Meta meta0 = BoltPages.Meta.read(first, why0);
    if (meta0 == null && first.limit() >= BoltPages.META_END && first.getInt(BoltPages.META_MAGIC) != BoltPages.MAGIC) {
      throw BoltFormatException.notBbolt(why0[0]);
    }
    // bbolt finds the second meta with the first's page size, or its own if the first is damaged
    int pageSize = meta0 != null ? meta0.pageSize() : BoltPages.DEFAULT_PAGE_SIZE;
    String[] why1 = new String[1];
    BoltPages.Meta meta1 = null;
    if (isPageSize(pageSize) && length >= (long) pageSize + BoltPages.META_END) {
      meta1 = BoltPages.Meta.read(read(in, length, pageSize, BoltPages.META_END), why1);
    } else {
      why1[0] = "the file ends before it";
    }
    if (meta0 == null && meta1 == null) {
      throw BoltFormatException.notBbolt("meta page 0: " + why0[0] + "; meta page 1: " + why1[0]);
    }
    BoltPages.Meta meta = meta1 == null || (meta0 != null && meta0.txid() > meta1.txid()) ? meta0 : meta1;
    if (!isPageSize(meta.pageSize())) {
      throw new BoltFormatException("meta page size " + meta.pageSize() + " is not a power of two of at least 512");
    }
    if (meta.highWaterMark() < 3 || meta.highWaterMark() > length / meta.pageSize()) {
      throw new BoltFormatException("the meta says the database has " + meta.highWaterMark() + " pages of "
          + meta.pageSize() + " bytes, the file holds " + length / meta.pageSize() + ": cut short?");
    }
    return new BoltReader(in, length, meta);
  }

  private static boolean isPageSize(int size) {
    return size >= 512 && Integer.bitCount(size) == 1;
  }

  public BoltPages.Meta meta() {
    return meta;
  }

  /** The database's size as bbolt reports it (its pages times the page size). */
  public long size() {
    return meta.highWaterMark() * meta.pageSize();
  }

  /** The top-level buckets' names, in order. */
  public List<byte[]> bucketNames() throws IOException {
    List<byte[]> names = new ArrayList<>();
    walk(meta.root(), 0, "root bucket", (k, v) -> names.add(k), true);
    return names;
  }

  /**
   * Visits the keys of the top-level bucket {@code name} in order.
   *
   * @return false if there is no such bucket
   */
  public boolean forEach(byte[] name, Visitor visitor) throws IOException {
    byte[][] header = new byte[1][];
    walk(meta.root(), 0, "root bucket", (k, v) -> {
      if (Arrays.equals(k, name)) {
        header[0] = v;
      }
    }, true);
    if (header[0] == null) {
      return false;
    }
    String where = "bucket " + BoltWriter.printable(name);
    byte[] value = header[0];
    if (value.length < BoltPages.BUCKET_HEADER) {
      throw new BoltFormatException(where + ": its header is " + value.length + " bytes, not "
          + BoltPages.BUCKET_HEADER);
    }
    long root = BoltPages.little(ByteBuffer.wrap(value)).getLong(0);
    if (root == 0) {
      ByteBuffer page = BoltPages.little(ByteBuffer.wrap(value, BoltPages.BUCKET_HEADER,
          value.length - BoltPages.BUCKET_HEADER).slice());
      visitPage(page, -1, 0, where + " (inline)", visitor, false);
    } else {
      walk(root, 0, where, visitor, false);
    }
    return true;
  }

  /**
   * Visits a tree's leaf elements in order. {@code bucketsOnly} is for the root bucket: only its buckets, each with
   * its bucket header as the value.
   */
  private void walk(long pageId, int depth, String where, Visitor visitor, boolean bucketsOnly) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new BoltFormatException(where + ": page " + pageId + " is " + depth + " levels deep: the tree loops");
    }
    visitPage(page(pageId, where), pageId, depth, where, visitor, bucketsOnly);
  }

  private void visitPage(ByteBuffer page, long pageId, int depth, String where, Visitor visitor, boolean bucketsOnly)
      throws IOException {
    String at = pageId < 0 ? where : where + ": page " + pageId;
    if (page.limit() < BoltPages.HEADER) {
      throw new BoltFormatException(at + ": shorter than a page header");
    }
    int flags = page.getShort(BoltPages.FLAGS_OFFSET) & 0xffff;
    int count = page.getShort(BoltPages.COUNT_OFFSET) & 0xffff;
    if (BoltPages.HEADER + (long) count * BoltPages.ELEMENT > page.limit()) {
      throw new BoltFormatException(at + ": " + count + " elements do not fit in it");
    }
    if (flags == BoltPages.BRANCH && pageId >= 0) {
      for (int i = 0; i < count; i++) {
        int element = BoltPages.HEADER + i * BoltPages.ELEMENT;
        walk(page.getLong(element + 8), depth + 1, where, visitor, bucketsOnly);
      }
    } else if (flags == BoltPages.LEAF) {
      for (int i = 0; i < count; i++) {
        int element = BoltPages.HEADER + i * BoltPages.ELEMENT;
        int elementFlags = page.getInt(element);
        long keyAt = element + (page.getInt(element + 4) & 0xffffffffL);
        long keySize = page.getInt(element + 8) & 0xffffffffL;
        long valueSize = page.getInt(element + 12) & 0xffffffffL;
        if (keyAt + keySize + valueSize > page.limit()) {
          throw new BoltFormatException(at + ": element " + i + " runs past the page's end");
        }
        boolean isBucket = (elementFlags & BoltPages.BUCKET_LEAF_FLAG) != 0;
        if (bucketsOnly && !isBucket) {
          continue;
        }
        byte[] key = new byte[(int) keySize];
        page.get((int) keyAt, key);
        byte[] value = new byte[(int) valueSize];
        page.get((int) (keyAt + keySize), value);
        visitor.accept(key, isBucket && !bucketsOnly ? null : value);
      }
    } else {
      throw new BoltFormatException(at + ": flags " + Integer.toHexString(flags) + " are not those of a "
          + (pageId >= 0 ? "branch or leaf page" : "leaf page"));
    }
  }

  /** Reads page {@code id} whole, with its overflow pages, checking its header. */
  private ByteBuffer page(long id, String where) throws IOException {
    int pageSize = meta.pageSize();
    if (id < 2 || id >= meta.highWaterMark()) {
      throw new BoltFormatException(where + ": page " + id + " is not a data page of the database (it has pages 2 to "
          + (meta.highWaterMark() - 1) + ")");
    }
    ByteBuffer header = read(in, length, id * pageSize, BoltPages.HEADER);
    if (header.getLong(0) != id) {
      throw new BoltFormatException(where + ": page " + id + " says it is page " + header.getLong(0));
    }
    long overflow = header.getInt(BoltPages.OVERFLOW_OFFSET) & 0xffffffffL;
    if (id + overflow >= meta.highWaterMark() || (overflow + 1) * pageSize > Integer.MAX_VALUE) {
      throw new BoltFormatException(where + ": page " + id + " runs on into " + overflow
          + " more pages, past the database's end");
    }
    return read(in, length, id * pageSize, (int) ((overflow + 1) * pageSize));
  }

  private static ByteBuffer read(FileChannel in, long length, long at, int size) throws IOException {
    if (at + size > length) {
      throw new BoltFormatException("the file ends at byte " + length + ", before byte " + (at + size)
          + ": cut short?");
    }
    ByteBuffer b = BoltPages.little(ByteBuffer.allocate(size));
    while (b.hasRemaining()) {
      if (in.read(b, at + b.position()) < 0) {
        throw new BoltFormatException("the file ends at byte " + (at + b.position()) + ": cut short?");
      }
    }
    return b.flip();
  }
}
