package dev.tugboat.control.store.mvcc;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Big-endian numbers and bytes into a stream through one 64 KiB block, with a CRC-32C of everything written: the
 * checksum is taken and the stream written once per block. A snapshot is millions of small fields, and the stream
 * classes this replaces (DataOutputStream over CheckedOutputStream over BufferedOutputStream) updated the checksum
 * and copied once per field, and copied every value out of the arena first.
 */
final class ChecksummedOutput {

  private static final int BLOCK_BYTES = 1 << 16;

  private final OutputStream target;
  private final ByteBuffer block = ByteBuffer.allocate(BLOCK_BYTES);
  private final CRC32C crc = new CRC32C();

  ChecksummedOutput(OutputStream target) {
    this.target = target;
  }

  void writeInt(int v) throws IOException {
    room(Integer.BYTES);
    block.putInt(v);
  }

  void writeLong(long v) throws IOException {
    room(Long.BYTES);
    block.putLong(v);
  }

  void write(byte[] bytes) throws IOException {
    int done = 0;
    while (done < bytes.length) {
      room(1);
      int n = Math.min(bytes.length - done, block.remaining());
      block.put(bytes, done, n);
      done += n;
    }
  }

  /** Copies the value at {@code ref} straight from the arena into the block. */
  void writeValue(ValueArena.Reader values, long ref, int length) throws IOException {
    int done = 0;
    while (done < length) {
      room(1);
      int n = Math.min(length - done, block.remaining());
      values.copy(ref, done, block.array(), block.position(), n);
      block.position(block.position() + n);
      done += n;
    }
  }

  /** Writes out what the block holds; the checksum then covers everything written so far. */
  void flush() throws IOException {
    crc.update(block.array(), 0, block.position());
    target.write(block.array(), 0, block.position());
    block.clear();
  }

  /** The CRC-32C of everything flushed. */
  int checksum() {
    return (int) crc.getValue();
  }

  private void room(int bytes) throws IOException {
    if (block.remaining() < bytes) {
      flush();
    }
  }
}
