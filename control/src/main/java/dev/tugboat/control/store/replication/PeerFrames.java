package dev.tugboat.control.store.replication;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * The layout of the frames members exchange: a big-endian int length, a kind byte, and the body. HELLO (cluster id,
 * member id) opens every connection so a member of another cluster is refused, then MESSAGE frames carry
 * {@link MessageCodec} bodies. REMOVED and OTHER_CLUSTER answer a member that may not talk; SNAPSHOT,
 * SNAPSHOT_CHUNK and SNAPSHOT_RESULT make up a snapshot stream (see {@link PeerTransport}).
 */
final class PeerFrames {
  static final int LENGTH_FIELD = 4;
  static final int KIND_FIELD = 1;
  static final byte HELLO = 1;
  static final byte MESSAGE = 2;
  static final byte REMOVED = 3;
  static final byte OTHER_CLUSTER = 4;
  /** Opens a snapshot stream: the file's length (long), then the SNAPSHOT message (metadata only). */
  static final byte SNAPSHOT = 5;
  /** A piece of the snapshot file (see {@link SnapshotChunks}). */
  static final byte SNAPSHOT_CHUNK = 6;
  /** The receiver's answer once the file is checked: one byte, 1 if it was whole and handed to Raft. */
  static final byte SNAPSHOT_RESULT = 7;
  static final int HELLO_LENGTH = KIND_FIELD + 16;
  static final int MAX_FRAME = 1 << 30;

  private PeerFrames() {
  }

  /** Splits a connection's bytes into frames, the length field stripped. */
  static LengthFieldBasedFrameDecoder frameDecoder() {
    return new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, LENGTH_FIELD, 0, LENGTH_FIELD);
  }

  /** The HELLO frame that opens a connection from member {@code selfId} of cluster {@code clusterId}. */
  static ByteBuf hello(ByteBufAllocator alloc, long clusterId, long selfId) {
    ByteBuf hello = alloc.directBuffer(LENGTH_FIELD + HELLO_LENGTH);
    hello.writeInt(HELLO_LENGTH).writeByte(HELLO).writeLongLE(clusterId).writeLongLE(selfId);
    return hello;
  }
}
