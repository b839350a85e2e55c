package dev.tugboat.control.store.replication;

import static dev.tugboat.control.store.replication.PeerFrames.HELLO;
import static dev.tugboat.control.store.replication.PeerFrames.HELLO_LENGTH;
import static dev.tugboat.control.store.replication.PeerFrames.KIND_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.LENGTH_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.MESSAGE;
import static dev.tugboat.control.store.replication.PeerFrames.OTHER_CLUSTER;
import static dev.tugboat.control.store.replication.PeerFrames.REMOVED;
import static dev.tugboat.control.store.replication.PeerFrames.SNAPSHOT;
import static dev.tugboat.control.store.replication.PeerFrames.SNAPSHOT_CHUNK;
import static dev.tugboat.control.store.replication.PeerFrames.SNAPSHOT_RESULT;

import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the frames of one connection: a HELLO first, then messages for this member. On a connection a peer dialed,
 * it refuses a member of another cluster (OTHER_CLUSTER) and tells a removed member so (REMOVED), the only frames
 * sent on an accepted connection besides a snapshot stream's answer; on a connection this member dialed, it reads
 * those two answers. A member joining an existing cluster (cluster id 0) takes the id the first peer greets it with.
 *
 * <p>On a snapshot stream (a SNAPSHOT frame, then SNAPSHOT_CHUNK frames), it writes the file to a temporary file
 * ({@link IncomingSnapshot}), has it forced and checked off the event loop, hands message and file to the member and
 * answers with a SNAPSHOT_RESULT frame.
 */
final class InboundHandler extends SimpleChannelInboundHandler<ByteBuf> {
  private static final Logger LOG = LoggerFactory.getLogger(InboundHandler.class);
  private static final byte[] NO_BYTES = new byte[0];

  private final PeerTransport transport;
  private final PeerTransport.Receiver receiver;
  private final long selfId;
  private final UnsafeBuffer decoder = new UnsafeBuffer(NO_BYTES);
  private boolean greeted;
  /** The snapshot this connection carries, if it is a snapshot stream. */
  private IncomingSnapshot incoming;

  InboundHandler(PeerTransport transport) {
    this.transport = transport;
    this.receiver = transport.receiver();
    this.selfId = transport.selfId();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    int length = frame.readableBytes();
    if (length < KIND_FIELD) {
      return;
    }
    byte kind = frame.getByte(frame.readerIndex());
    if (kind == HELLO) {
      if (length != HELLO_LENGTH) {
        refuse(ctx, "HELLO of " + length + " bytes");
        return;
      }
      long theirCluster = frame.getLongLE(frame.readerIndex() + 1);
      long theirId = frame.getLongLE(frame.readerIndex() + 9);
      if (transport.isRemoved(theirId)) {
        tellRemoved(ctx, theirId);
        return;
      }
      if (transport.clusterId() == 0 && theirCluster != 0 && transport.hasPeer(theirId)) {
        transport.joinedCluster(theirCluster); // joining: the cluster's members greet us with its id
        LOG.info("raft transport: joined cluster {} (greeted by member {})", Long.toHexString(theirCluster),
            Long.toHexString(theirId));
        receiver.onClusterId(theirCluster);
      }
      if (transport.clusterId() == 0 && theirCluster != 0 && !transport.hasPeer(theirId)) {
        LOG.warn("raft transport: member {} of cluster {} greets this joining member, but no member of "
            + "--initial-cluster has that id here: does --initial-cluster-token match the cluster's? (the token "
            + "is part of every member id)", Long.toHexString(theirId), Long.toHexString(theirCluster));
      }
      if (theirCluster != transport.clusterId()) {
        String why = "member " + Long.toHexString(theirId) + " belongs to cluster " + Long.toHexString(theirCluster)
            + ", this is cluster " + Long.toHexString(transport.clusterId());
        // a joining member (0) learns the id; it is not refused for it
        if (theirCluster != 0 && transport.clusterId() != 0) {
          LOG.warn("raft transport: refusing {}: {}", ctx.channel().remoteAddress(), why);
          ByteBuf refusal = ctx.alloc().buffer(LENGTH_FIELD + KIND_FIELD + 8);
          refusal.writeInt(KIND_FIELD + 8).writeByte(OTHER_CLUSTER).writeLongLE(transport.clusterId());
          ctx.writeAndFlush(refusal).addListener(ChannelFutureListener.CLOSE);
        } else {
          refuse(ctx, why);
        }
        return;
      }
      greeted = true;
      return;
    }
    if (kind == OTHER_CLUSTER) {
      if (length == KIND_FIELD + 8 && transport.clusterId() != 0) {
        receiver.onOtherCluster(String.valueOf(ctx.channel().remoteAddress()),
            frame.getLongLE(frame.readerIndex() + KIND_FIELD));
      }
      ctx.close();
      return;
    }
    if (kind == REMOVED) {
      LOG.warn("raft transport: a peer says this member ({}) was removed from the cluster",
          Long.toHexString(selfId));
      receiver.onRemoved();
      return;
    }
    if (kind == SNAPSHOT_CHUNK && incoming != null) {
      receiveChunk(ctx, frame.nioBuffer(frame.readerIndex() + KIND_FIELD, length - KIND_FIELD));
      return;
    }
    if ((kind != MESSAGE && kind != SNAPSHOT) || !greeted) {
      refuse(ctx, kind == MESSAGE || kind == SNAPSHOT ? "message before HELLO" : "unknown frame kind " + kind);
      return;
    }
    int bodyAt = kind == SNAPSHOT ? KIND_FIELD + 8 : KIND_FIELD;
    if (length < bodyAt) {
      refuse(ctx, "SNAPSHOT frame of " + length + " bytes");
      return;
    }
    decoder.wrap(frame.nioBuffer(frame.readerIndex() + bodyAt, length - bodyAt));
    Message message;
    try {
      message = MessageCodec.decode(decoder, 0, length - bodyAt);
    } catch (IllegalArgumentException e) {
      refuse(ctx, e.getMessage());
      return;
    } finally {
      decoder.wrap(NO_BYTES);
    }
    if (transport.isRemoved(message.from())) {
      tellRemoved(ctx, message.from());
      return;
    }
    if (message.to() != selfId) {
      return;
    }
    if (kind == SNAPSHOT) {
      startSnapshot(ctx, message, frame.getLong(frame.readerIndex() + KIND_FIELD));
    } else if (message.type() == MessageType.SNAPSHOT) {
      // its data comes only on a snapshot stream: without it there is nothing to install
      LOG.warn("raft transport: {} came without its file; dropped", message);
    } else {
      receiver.onMessage(message);
    }
  }

  private void startSnapshot(ChannelHandlerContext ctx, Message message, long fileLength) {
    if (incoming != null || message.type() != MessageType.SNAPSHOT) {
      refuse(ctx, "a second snapshot, or no SNAPSHOT message, on a snapshot stream: " + message);
      return;
    }
    try {
      incoming = new IncomingSnapshot(transport.snapshotDirectory(), message, fileLength);
    } catch (IOException e) {
      LOG.warn("raft transport: receiving {}: {}", message, e.toString());
      answerSnapshot(ctx, false);
      return;
    }
    LOG.info("raft transport: receiving the snapshot at index {} ({} bytes) from member {}",
        message.snapshot().metadata().index(), fileLength, Long.toHexString(message.from()));
  }

  private void receiveChunk(ChannelHandlerContext ctx, ByteBuffer chunk) {
    IncomingSnapshot snapshot = incoming;
    boolean whole;
    try {
      whole = snapshot.write(chunk);
    } catch (IOException e) {
      LOG.warn("raft transport: {}: write {}: {}", snapshot, snapshot.file(), e.toString());
      snapshot.abort();
      answerSnapshot(ctx, false);
      return;
    }
    if (!whole) {
      if (snapshot.dueForForce()) {
        transport.snapshotDisk().execute(snapshot::forceWritten);
      }
      return;
    }
    transport.snapshotDisk().execute(() -> {
      try {
        SnapshotFiles.Stored stored = snapshot.finish();
        receiver.onSnapshot(snapshot.message(), stored);
        answerSnapshot(ctx, true);
      } catch (IOException | RuntimeException e) {
        LOG.warn("raft transport: {}: refused: {}", snapshot, e.getMessage());
        answerSnapshot(ctx, false);
      }
    });
  }

  /** Tells the leader how the snapshot ended; it closes the connection when it reads this. */
  private void answerSnapshot(ChannelHandlerContext ctx, boolean ok) {
    ByteBuf answer = ctx.alloc().buffer(LENGTH_FIELD + KIND_FIELD + 1);
    answer.writeInt(KIND_FIELD + 1).writeByte(SNAPSHOT_RESULT).writeByte(ok ? 1 : 0);
    ChannelFuture written = ctx.writeAndFlush(answer);
    if (!ok) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (incoming != null) {
      incoming.abort(); // a stream cut short leaves no file behind; one handed over is the member's
    }
    super.channelInactive(ctx);
  }

  private void tellRemoved(ChannelHandlerContext ctx, long member) {
    LOG.info("raft transport: member {} was removed from the cluster; telling it so",
        Long.toHexString(member));
    ByteBuf frame = ctx.alloc().buffer(LENGTH_FIELD + KIND_FIELD);
    frame.writeInt(KIND_FIELD).writeByte(REMOVED);
    ctx.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
  }

  private void refuse(ChannelHandlerContext ctx, String why) {
    LOG.warn("raft transport: closing connection from {}: {}", ctx.channel().remoteAddress(), why);
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("raft transport: connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
