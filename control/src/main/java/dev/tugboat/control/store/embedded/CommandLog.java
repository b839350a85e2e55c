package dev.tugboat.control.store.embedded;

import dev.tugboat.control.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A write-ahead file of store commands, the single member's stand-in for the replicated Raft log. Each record is
 * {@code index:long length:int crc32c:int command}, the CRC covering index, length and command. A record cut short or
 * failing its CRC at the very end is a write that a crash interrupted (never acknowledged): it is cut off on open.
 * A bad record followed by good ones is damage, and opening fails naming the file and offset.
 */
final class CommandLog implements AutoCloseable {

  private static final int HEADER_BYTES = 8 + 4 + 4;
  /** Larger than any command the request limit lets through. */
  private static final int MAX_COMMAND_BYTES = 16 << 20;

  /** A record read back. */
  record Record(long index, byte[] command) {}

  interface RecordConsumer {
    void accept(Record record);
  }

  private final Path file;
  private final FileChannel channel;

  private CommandLog(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
  }

  /** Opens (creating) the log, hands every intact record to {@code replay} in order, and cuts off a torn tail. */
  static CommandLog open(Path file, RecordConsumer replay) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    try {
      long end = replay(file, channel, replay);
      if (end < channel.size()) {
        channel.truncate(end);
        channel.force(true);
      }
      channel.position(end);
      return new CommandLog(file, channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static long replay(Path file, FileChannel channel, RecordConsumer replay) throws IOException {
    long size = channel.size();
    long offset = 0;
    ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
    while (offset < size) {
      header.clear();
      if (readFully(channel, header, offset) < HEADER_BYTES) {
        return offset;
      }
      header.flip();
      long index = header.getLong();
      int length = header.getInt();
      int crc = header.getInt();
      if (length < 0 || length > MAX_COMMAND_BYTES || offset + HEADER_BYTES + length > size) {
        return offset;  // the last write was cut short
      }
      ByteBuffer body = ByteBuffer.allocate(length);
      readFully(channel, body, offset + HEADER_BYTES);
      byte[] command = body.array();
      if (crc(index, length, command) != crc) {
        if (onlyZerosFrom(channel, offset + HEADER_BYTES + length, size)) {
          return offset;  // the last write was cut short (the file may have grown before its data landed)
        }
        throw new StoreException(StoreException.Code.CORRUPT,
            file + ": the record at offset " + offset + " fails its checksum and records follow it");
      }
      replay.accept(new Record(index, command));
      offset += HEADER_BYTES + length;
    }
    return offset;
  }

  private static boolean onlyZerosFrom(FileChannel channel, long from, long size) throws IOException {
    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    for (long at = from; at < size; ) {
      chunk.clear();
      int n = readFully(channel, chunk, at);
      for (int i = 0; i < n; i++) {
        if (chunk.get(i) != 0) {
          return false;
        }
      }
      if (n == 0) {
        break;
      }
      at += n;
    }
    return true;
  }

  private static int readFully(FileChannel channel, ByteBuffer into, long position) throws IOException {
    int total = 0;
    while (into.hasRemaining()) {
      int n = channel.read(into, position + total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }

  /** Appends records; they are durable only after {@link #sync()}. */
  void append(List<Record> records) throws IOException {
    int bytes = 0;
    for (Record r : records) {
      bytes += HEADER_BYTES + r.command().length;
    }
    ByteBuffer buffer = ByteBuffer.allocate(bytes);
    for (Record r : records) {
      buffer.putLong(r.index()).putInt(r.command().length).putInt(crc(r.index(), r.command().length, r.command()))
          .put(r.command());
    }
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  void sync() throws IOException {
    channel.force(false);
  }

  long size() throws IOException {
    return channel.size();
  }

  /** Drops every record: the state they built is in a snapshot now. */
  void clear() throws IOException {
    channel.truncate(0);
    channel.position(0);
    channel.force(true);
  }

  Path file() {
    return file;
  }

  private static int crc(long index, int length, byte[] command) {
    CRC32C crc = new CRC32C();
    crc.update(ByteBuffer.allocate(12).putLong(index).putInt(length).flip());
    crc.update(command);
    return (int) crc.getValue();
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
