package dev.tugboat.control.store.bbolt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a new bbolt database, bucket by bucket, each bucket's keys in ascending order (bbolt's, unsigned bytes),
 * as leaves filled whole and the branches above them, the way bbolt would lay out the same data written with a fill
 * percent of 1. Pages go out as they fill, so only one leaf and the first keys of a bucket's leaves are held.
 *
 * <pre>
 *   page 0, 1   metas (written last: they name the root bucket and the high water mark)
 *   page 2...   each bucket's leaves, then its branches
 *   then        the root bucket's leaf (one element per bucket), an empty freelist
 * </pre>
 *
 * Buckets are never inline and an empty bucket has an empty leaf, which bbolt reads, checks and writes to as well.
 * Nested buckets are not written: etcd has none.
 */
public final class BoltWriter {
  private final FileChannel out;
  private final int pageSize;
  private long nextPage = 2;
  private final Tree root = new Tree(BoltPages.BUCKET_LEAF_FLAG);
  private byte[] bucketName;
  private Tree bucket;
  private boolean finished;

  public BoltWriter(FileChannel out, int pageSize) {
    if (pageSize < 1024 || Integer.bitCount(pageSize) != 1) {
      throw new IllegalArgumentException("page size " + pageSize + " is not a power of two of at least 1024");
    }
    this.out = out;
    this.pageSize = pageSize;
  }

  /** Starts the next bucket; names come in ascending order. */
  public void beginBucket(byte[] name) throws IOException {
    if (finished) {
      throw new IllegalStateException("the database is finished");
    }
    if (bucketName != null && Arrays.compareUnsigned(bucketName, name) >= 0) {
      throw new IllegalArgumentException("buckets out of order: " + printable(name) + " after "
          + printable(bucketName));
    }
    endBucket();
    bucketName = name.clone();
    bucket = new Tree(0);
  }

  /** Adds a key to the current bucket; keys come in ascending order. */
  public void put(byte[] key, byte[] value) throws IOException {
    if (bucket == null) {
      throw new IllegalStateException("put outside a bucket");
    }
    bucket.add(key, value);
  }

  /**
   * Ends the last bucket and writes the root bucket, the freelist and the metas.
   *
   * @return the database's size in bytes (its pages times the page size)
   */
  public long finish() throws IOException {
    endBucket();
    finished = true;
    long rootPage = root.close();
    long freelist = nextPage++;
    ByteBuffer page = BoltPages.little(ByteBuffer.allocate(pageSize));
    page.putLong(0, freelist).putShort(BoltPages.FLAGS_OFFSET, (short) BoltPages.FREELIST);
    write(page, freelist);
    for (int id = 0; id < 2; id++) {
      ByteBuffer meta = BoltPages.little(ByteBuffer.allocate(pageSize));
      // bbolt's own first transaction is 1 on page 1; a reader takes the valid meta with the larger txid.
      new BoltPages.Meta(pageSize, rootPage, freelist, nextPage, id).writeTo(meta, id);
      write(meta, id);
    }
    return nextPage * pageSize;
  }

  private void endBucket() throws IOException {
    if (bucket != null) {
      byte[] header = new byte[BoltPages.BUCKET_HEADER];
      BoltPages.little(ByteBuffer.wrap(header)).putLong(0, bucket.close());
      root.add(bucketName, header);
      bucket = null;
    }
  }

  private void write(ByteBuffer page, long id) throws IOException {
    page.position(0).limit(page.capacity());
    long at = id * pageSize;
    while (page.hasRemaining()) {
      at += out.write(page, at);
    }
  }

  /** One B+tree: leaves written as they fill, branches when it closes. */
  private final class Tree {
    private final int leafFlags;
    private final List<byte[]> keys = new ArrayList<>();
    private final List<byte[]> values = new ArrayList<>();
    private int leafBytes = BoltPages.HEADER;
    /** The first key and page of every page of the level being built. */
    private List<byte[]> levelKeys = new ArrayList<>();
    private List<Long> levelPages = new ArrayList<>();
    private byte[] last;

    Tree(int leafFlags) {
      this.leafFlags = leafFlags;
    }

    void add(byte[] key, byte[] value) throws IOException {
      if (key.length == 0) {
        throw new IllegalArgumentException("bbolt keys are never empty");
      }
      if (last != null && Arrays.compareUnsigned(last, key) >= 0) {
        throw new IllegalArgumentException("keys out of order: " + printable(key) + " after " + printable(last));
      }
      last = key;
      int bytes = BoltPages.ELEMENT + key.length + value.length;
      if (!keys.isEmpty() && (leafBytes + bytes > pageSize || keys.size() + 1 >= BoltPages.MAX_COUNT)) {
        writeLeaf();
      }
      keys.add(key);
      values.add(value);
      leafBytes += bytes;
    }

    /** Writes what is left and the branches; returns the root page. */
    long close() throws IOException {
      if (!keys.isEmpty() || levelPages.isEmpty()) {
        writeLeaf();
      }
      while (levelPages.size() > 1) {
        List<byte[]> childKeys = levelKeys;
        List<Long> childPages = levelPages;
        levelKeys = new ArrayList<>();
        levelPages = new ArrayList<>();
        int from = 0;
        while (from < childKeys.size()) {
          int to = from;
          int bytes = BoltPages.HEADER;
          while (to < childKeys.size() && (to == from || (bytes + BoltPages.ELEMENT + childKeys.get(to).length
              <= pageSize && to - from + 1 < BoltPages.MAX_COUNT))) {
            bytes += BoltPages.ELEMENT + childKeys.get(to).length;
            to++;
          }
          writeBranch(childKeys.subList(from, to), childPages.subList(from, to), bytes);
          from = to;
        }
      }
      return levelPages.get(0);
    }

    private void writeLeaf() throws IOException {
      int count = keys.size();
      ByteBuffer page = newPage(leafBytes, BoltPages.LEAF, count);
      int data = BoltPages.HEADER + count * BoltPages.ELEMENT;
      for (int i = 0; i < count; i++) {
        int element = BoltPages.HEADER + i * BoltPages.ELEMENT;
        byte[] key = keys.get(i);
        byte[] value = values.get(i);
        page.putInt(element, leafFlags).putInt(element + 4, data - element).putInt(element + 8, key.length)
            .putInt(element + 12, value.length);
        page.put(data, key).put(data + key.length, value);
        data += key.length + value.length;
      }
      levelKeys.add(count == 0 ? new byte[0] : keys.get(0));
      levelPages.add(page.getLong(0));
      writePage(page);
      keys.clear();
      values.clear();
      leafBytes = BoltPages.HEADER;
    }

    private void writeBranch(List<byte[]> childKeys, List<Long> childPages, int bytes) throws IOException {
      int count = childKeys.size();
      ByteBuffer page = newPage(bytes, BoltPages.BRANCH, count);
      int data = BoltPages.HEADER + count * BoltPages.ELEMENT;
      for (int i = 0; i < count; i++) {
        int element = BoltPages.HEADER + i * BoltPages.ELEMENT;
        byte[] key = childKeys.get(i);
        page.putInt(element, data - element).putInt(element + 4, key.length).putLong(element + 8, childPages.get(i));
        page.put(data, key);
        data += key.length;
      }
      levelKeys.add(childKeys.get(0));
      levelPages.add(page.getLong(0));
      writePage(page);
    }

    private ByteBuffer newPage(long bytes, int flags, int count) {
      int pages = BoltPages.pagesFor(bytes, pageSize);
      long id = nextPage;
      nextPage += pages;
      ByteBuffer page = BoltPages.little(ByteBuffer.allocate(pages * pageSize));
      page.putLong(0, id).putShort(BoltPages.FLAGS_OFFSET, (short) flags).putShort(BoltPages.COUNT_OFFSET,
          (short) count).putInt(BoltPages.OVERFLOW_OFFSET, pages - 1);
      return page;
    }

    private void writePage(ByteBuffer page) throws IOException {
      write(page, page.getLong(0));
    }
  }

  static String printable(byte[] b) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 64); i++) {
      int c = b[i] & 0xff;
      s.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return (b.length > 64 ? s.append("...") : s).toString();
  }
}
