package dev.tugboat.control.store.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * A snapshot file as the transport's SNAPSHOT_CHUNK frames, read from disk one at a time for Netty's {@code
 * ChunkedWriteHandler}, which asks for the next only while the connection can take it: the leader holds a chunk and
 * the socket's write buffer of the file at a time, whatever the file's size (a million keys make ~290 MB).
 */
final class SnapshotChunks implements ChunkedInput<ByteBuf> {
  /** The bytes of the file a frame carries: the size of the pieces the file's checksum was computed over. */
  static final int CHUNK_BYTES = 64 << 10;

  private final FileChannel file;
  private final long length;
  private long offset;

  /** Streams all of {@code file}, which must not change meanwhile (a snapshot file is never written after its rename). */
  SnapshotChunks(FileChannel file) throws IOException {
    this.file = file;
    this.length = file.size();
  }

  @Override
  public boolean isEndOfInput() {
    return offset >= length;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  @Deprecated
  @Override
  public ByteBuf readChunk(ChannelHandlerContext ctx) throws IOException {
    return readChunk(ctx.alloc());
  }

  @Override
  public ByteBuf readChunk(ByteBufAllocator allocator) throws IOException {
    if (isEndOfInput()) {
      return null;
    }
    int n = (int) Math.min(CHUNK_BYTES, length - offset);
    ByteBuf frame = allocator.directBuffer(PeerFrames.LENGTH_FIELD + PeerFrames.KIND_FIELD + n);
    boolean done = false;
    try {
      frame.writeInt(PeerFrames.KIND_FIELD + n).writeByte(PeerFrames.SNAPSHOT_CHUNK);
      long at = offset;
      while (at < offset + n) {
        int read = frame.writeBytes(file, at, (int) (offset + n - at));
        if (read < 0) {
          throw new EOFException("snapshot file ends at " + at + " of the " + length + " bytes it had");
        }
        at += read;
      }
      offset += n;
      done = true;
      return frame;
    } finally {
      if (!done) {
        frame.release();
      }
    }
  }

  @Override
  public long length() {
    return length;
  }

  @Override
  public long progress() {
    return offset;
  }
}
