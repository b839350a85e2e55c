package dev.tugboat.control.store.replication;

import static dev.tugboat.control.store.replication.PeerFrames.KIND_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.LENGTH_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.SNAPSHOT;
import static dev.tugboat.control.store.replication.PeerFrames.SNAPSHOT_RESULT;

import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.SnapshotStatus;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's end of one snapshot stream: dials a connection for the snapshot alone, sends HELLO, a SNAPSHOT frame
 * (the file's length and the message, which carries only the metadata), then the file in SNAPSHOT_CHUNK frames read
 * from disk as the socket drains ({@link SnapshotChunks}). Reports FINISHED when the receiver answers that the file
 * was whole, FAILED when it answers otherwise, or the connection ends or idles before an answer.
 */
final class SnapshotStream extends SimpleChannelInboundHandler<ByteBuf> {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStream.class);
  /**
   * The socket buffer a snapshot stream may fill before ChunkedWriteHandler stops reading the file: 16 chunks, so
   * that a wake-up writes a useful amount, and the leader holds at most this much of the file in memory.
   */
  private static final WriteBufferWaterMark SNAPSHOT_WATER_MARK = new WriteBufferWaterMark(512 << 10, 1 << 20);
  /**
   * A snapshot stream that neither moves nor is answered for this long is given up (reported FAILED): the receiver
   * checks a ~290 MB file in about a second, so this is a member that hangs, not one that is slow.
   */
  private static final int SNAPSHOT_IDLE_SECONDS = 60;

  private final OutboundPeer peer;
  private final Message message;
  private final long startNanos = System.nanoTime();
  private long fileLength;
  private boolean reported;

  SnapshotStream(OutboundPeer peer, Message message) {
    this.peer = peer;
    this.message = message;
  }

  /**
   * On the peer's event loop: dials the stream's connection and, once connected, greets the peer as a member of
   * {@code transport}'s cluster and sends {@code file} on it.
   */
  void dial(PeerTransport transport, Path file) {
    new Bootstrap()
        .group(peer.loop)
        .channel(transport.epoll() ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
        .option(ChannelOption.WRITE_BUFFER_WATER_MARK, SNAPSHOT_WATER_MARK)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new IdleStateHandler(0, 0, SNAPSHOT_IDLE_SECONDS), PeerFrames.frameDecoder(),
                new ChunkedWriteHandler(), SnapshotStream.this);
          }
        })
        .connect(peer.address)
        .addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            LOG.info("raft transport: snapshot for member {}: connect to {}: {}", Long.toHexString(peer.id),
                peer.address, f.cause() == null ? "failed" : f.cause().getMessage());
            peer.snapshotEnded(SnapshotStatus.FAILED);
            return;
          }
          Channel ch = f.channel();
          SnapshotChunks chunks;
          try {
            chunks = new SnapshotChunks(FileChannel.open(file, StandardOpenOption.READ));
          } catch (IOException e) {
            LOG.warn("raft transport: snapshot for member {}: open {}: {}", Long.toHexString(peer.id), file,
                e.toString());
            ch.close(); // reported FAILED when the channel is inactive
            return;
          }
          fileLength = chunks.length();
          ch.write(PeerFrames.hello(ch.alloc(), transport.clusterId(), transport.selfId()), ch.voidPromise());
          int bodyLength = KIND_FIELD + 8 + MessageCodec.maxEncodedLength(message);
          ByteBuf header = ch.alloc().heapBuffer(LENGTH_FIELD + bodyLength);
          UnsafeBuffer headerEncoder = new UnsafeBuffer(header.array(), header.arrayOffset(), header.capacity());
          int length = MessageCodec.encode(message, headerEncoder, LENGTH_FIELD + KIND_FIELD + 8);
          header.writeInt(KIND_FIELD + 8 + length).writeByte(SNAPSHOT).writeLong(chunks.length());
          header.writerIndex(LENGTH_FIELD + KIND_FIELD + 8 + length);
          ch.write(header, ch.voidPromise());
          ch.writeAndFlush(chunks).addListener((ChannelFutureListener) sent -> {
            if (!sent.isSuccess()) {
              LOG.info("raft transport: snapshot for member {}: {}", Long.toHexString(peer.id),
                  sent.cause() == null ? "write failed" : sent.cause().toString());
              sent.channel().close();
            }
          });
        });
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
    boolean answer = frame.readableBytes() == KIND_FIELD + 1 && frame.getByte(frame.readerIndex()) == SNAPSHOT_RESULT;
    boolean ok = answer && frame.getByte(frame.readerIndex() + KIND_FIELD) == 1;
    if (ok) {
      LOG.info("raft transport: snapshot at index {} ({} bytes) sent to member {} in {} ms",
          message.snapshot().metadata().index(), fileLength, Long.toHexString(peer.id),
          (System.nanoTime() - startNanos) / 1_000_000);
    } else {
      LOG.warn("raft transport: member {} refused the snapshot at index {}", Long.toHexString(peer.id),
          message.snapshot().metadata().index());
    }
    report(ok ? SnapshotStatus.FINISHED : SnapshotStatus.FAILED);
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      LOG.warn("raft transport: snapshot for member {}: nothing moved for {} s; given up",
          Long.toHexString(peer.id), SNAPSHOT_IDLE_SECONDS);
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (!reported) {
      LOG.info("raft transport: snapshot stream to member {} closed before it was answered",
          Long.toHexString(peer.id));
    }
    report(SnapshotStatus.FAILED);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.info("raft transport: snapshot stream to member {}: {}", Long.toHexString(peer.id), cause.toString());
    ctx.close();
  }

  private void report(SnapshotStatus status) {
    if (!reported) {
      reported = true;
      peer.snapshotEnded(status);
    }
  }
}
