package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.raft.Message;
import dev.tugboat.nativebindings.Linux;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries Raft messages between the members of one cluster over TCP (Netty, epoll where the kernel has it).
 *
 * <p>Each member dials every peer once and writes only on the connection it dialed; connections it accepts it only
 * reads. A frame is a big-endian int length, a kind byte, and the body: HELLO (cluster id, member id) opens every
 * connection so a member of another cluster is refused, then MESSAGE frames carry {@link MessageCodec} bodies.
 * A member removed from the cluster that still dials or talks is answered with a REMOVED frame (the only frame sent
 * on an accepted connection), so that it learns it was removed even if it missed the entry that removed it; a member
 * of another cluster gets an OTHER_CLUSTER frame with this cluster's id, so that a member started with the wrong
 * --initial-cluster-token learns why nobody listens.
 *
 * <p>Peers come and go with membership changes ({@link #setPeer}, {@link #removePeer}). A member joining an
 * existing cluster does not know the cluster id yet (0): it takes the one the first peer greets it with.
 *
 * <p>{@link #send} is called by the Raft thread: it puts the message on the peer's MPSC queue and, unless a flush is
 * already pending, flushes: everything queued is encoded into one buffer and written with one syscall. With epoll
 * the sending thread writes it itself into the socket (through a duplicate of the connection's descriptor), as long
 * as nothing handed to the event loop is still unwritten; otherwise, or when the socket takes only part of it, the
 * event loop writes (the rest). A hand-off to the event loop was a thread wake-up on every message of a put's path
 * (the leader's appends, each follower's answer, the commit that follows), each waiting for a CPU on a busy machine:
 * PutThreadCosts (3 members, one jetcd client, 10 s, 2026-11-29) counted 20.3 event-loop wake-ups per put over the
 * three members before (leader 9.4), 10.1 after (leader 5.1), event-loop CPU 1.77 ms per put before, 1.11 after.
 * Messages to a peer that is not connected are dropped and reported unreachable; Raft resends what matters.
 */
public final class PeerTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
  private static final int LENGTH_FIELD = 4;
  private static final int KIND_FIELD = 1;
  private static final byte HELLO = 1;
  private static final byte MESSAGE = 2;
  private static final byte REMOVED = 3;
  private static final byte OTHER_CLUSTER = 4;
  private static final int HELLO_LENGTH = KIND_FIELD + 16;
  static final int MAX_FRAME = 1 << 30;
  private static final int QUEUE_CAPACITY = 1 << 14;
  private static final long MIN_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 1000;
  private static final byte[] NO_BYTES = new byte[0];
  /**
   * Larger messages (a snapshot) are encoded and written by the event loop, as before direct writes: the sending
   * thread's buffer stays small and the Raft thread does not copy a whole state. Appends stay below it (RaftConfig's
   * maxSizePerMessage is 1 MiB of entries).
   */
  private static final int SENDER_WRITE_MAX = 2 << 20;

  /** What the transport hands to the member; called on I/O threads. */
  public interface Receiver {
    void onMessage(Message message);

    /** Messages to {@code peer} were dropped because it is not connected. */
    void onUnreachable(long peer);

    /** A joining member learned the id of the cluster it joined. */
    default void onClusterId(long clusterId) {
    }

    /** A peer told this member it was removed from the cluster. */
    default void onRemoved() {
    }

    /** The peer at {@code address} refused this member: it belongs to cluster {@code theirCluster}. */
    default void onOtherCluster(String address, long theirCluster) {
    }
  }

  private volatile long clusterId;
  private final long selfId;
  private final InetSocketAddress listenAddress;
  private final Receiver receiver;
  private final EventLoopGroup group;
  private final boolean epoll;
  private final Map<Long, Peer> peers = new ConcurrentHashMap<>();
  private final Set<Long> removed = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile boolean started;
  private Channel serverChannel;
  /** Connections peers dialed to us; closed explicitly on close so that peers notice at once. */
  private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  public PeerTransport(long clusterId, long selfId, InetSocketAddress listenAddress,
                       Map<Long, InetSocketAddress> peerAddresses, Receiver receiver) {
    this.clusterId = clusterId;
    this.selfId = selfId;
    this.listenAddress = listenAddress;
    this.receiver = receiver;
    this.epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    // One event loop for every peer: it only reads (the sending thread writes), and the answers of two followers that
    // arrive together then cost the leader one wake-up instead of one per follower (PutThreadCosts, 2026-11-29: the
    // leader's event-loop wake-ups per sequential put 5.1 with two loops, 4.3 with one; one run each, a noisy machine).
    this.group = new MultiThreadIoEventLoopGroup(1, io);
    peerAddresses.forEach((id, address) -> {
      if (id != selfId) {
        peers.put(id, new Peer(id, address, group.next()));
      }
    });
  }

  /** Listens for peers and starts dialing them. */
  public PeerTransport start() {
    ServerBootstrap server = new ServerBootstrap()
        .group(group)
        .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            accepted.add(ch);
            ch.pipeline().addLast(frameDecoder(), new InboundHandler());
          }
        });
    try {
      serverChannel = server.bind(listenAddress).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("raft transport: listen on " + listenAddress + ": interrupted", e);
    } catch (Exception e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw new IllegalStateException("raft transport: listen on " + listenAddress + ": " + e.getMessage(), e);
    }
    started = true;
    peers.values().forEach(Peer::connect);
    return this;
  }

  /** Sends to {@code id} at {@code address} from now on (a new member, or one whose peer URL changed). */
  public void setPeer(long id, InetSocketAddress address) {
    if (id == selfId || closed) {
      return;
    }
    removed.remove(id);
    Peer existing = peers.get(id);
    if (existing != null && existing.address.equals(address)) {
      return;
    }
    Peer peer = new Peer(id, address, group.next());
    peers.put(id, peer);
    if (existing != null) {
      existing.stop();
      LOG.info("raft transport: member {} is now at {}", Long.toHexString(id), address);
    }
    if (started) {
      peer.loop.execute(peer::connect);
    }
  }

  /** Stops talking to {@code id}, which left the cluster; if it talks to us, it is told so. */
  public void removePeer(long id) {
    removed.add(id);
    Peer peer = peers.remove(id);
    if (peer != null) {
      peer.stop();
    }
  }

  public long clusterId() {
    return clusterId;
  }

  /** The address actually bound (useful when the configured port was 0). */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Queues {@code message} for its peer; never blocks. Safe from one producer thread or several. */
  public void send(Message message) {
    Peer peer = peers.get(message.to());
    if (peer == null) {
      LOG.debug("raft transport: no peer {} for {}", message.to(), message);
      return;
    }
    peer.enqueue(message);
  }

  public boolean isConnected(long peer) {
    Peer p = peers.get(peer);
    return p != null && p.channel != null && p.channel.isActive();
  }

  @Override
  public void close() {
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
    }
    accepted.close().awaitUninterruptibly();
    for (Peer peer : peers.values()) {
      Channel ch = peer.channel;
      if (ch != null) {
        ch.close().awaitUninterruptibly();
      }
    }
    group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly();
  }

  private static LengthFieldBasedFrameDecoder frameDecoder() {
    return new LengthFieldBasedFrameDecoder(MAX_FRAME, 0, LENGTH_FIELD, 0, LENGTH_FIELD);
  }

  /** The dialed connection to one peer, its outbound queue and its reconnect schedule. */
  private final class Peer {
    private final long id;
    private final InetSocketAddress address;
    private final EventLoop loop;
    private final MpscArrayQueue<Message> queue = new MpscArrayQueue<>(QUEUE_CAPACITY);
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final UnsafeBuffer encoder = new UnsafeBuffer(NO_BYTES);
    private final Runnable flush = this::flush;
    /**
     * Held while bytes go to the connection (by the sending thread or the event loop) and while the socket's
     * duplicate descriptor opens or closes, so that frames never interleave and the descriptor is never written after
     * it was closed (its number could by then be another file's).
     */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** Writes handed to the event loop and not yet in the socket: while any is, the sending thread does not write. */
    private final AtomicInteger loopWritesInFlight = new AtomicInteger();
    /** A duplicate of the connected socket's descriptor, for the sending thread's writes; null without epoll. */
    private FileDescriptor socket;
    /** The sending thread's encoding buffer, reused (grown when a flush needs more). */
    private ByteBuffer direct = ByteBuffer.allocateDirect(0);
    private volatile Channel channel;
    private long backoffMs = MIN_BACKOFF_MS;
    private boolean connecting;
    private volatile boolean stopped;

    Peer(long id, InetSocketAddress address, EventLoop loop) {
      this.id = id;
      this.address = address;
      this.loop = loop;
    }

    void stop() {
      stopped = true;
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
    }

    void enqueue(Message message) {
      if (!queue.offer(message)) {
        receiver.onUnreachable(id);
        return;
      }
      boolean large = MessageCodec.maxEncodedLength(message) > SENDER_WRITE_MAX;
      if (flushScheduled.compareAndSet(false, true) && (large || !flushFromSender())) {
        loop.execute(flush);
      }
    }

    /**
     * On the sending thread: writes everything queued straight into the socket, if the event loop has nothing of
     * ours left to write (else the frames would overtake it). False if the event loop has to flush instead.
     */
    private boolean flushFromSender() {
      if (!writeLock.tryLock()) {
        return false; // the event loop is writing: it flushes again if the queue is not empty afterwards
      }
      try {
        Channel ch = channel;
        if (socket == null || ch == null || loopWritesInFlight.get() != 0) {
          return false;
        }
        flushScheduled.set(false);
        Message[] batch = drainQueue();
        if (batch.length == 0) {
          return true;
        }
        int size = encodedSize(batch);
        if (size > SENDER_WRITE_MAX) {
          ByteBuf out = ch.alloc().directBuffer(size);
          out.writerIndex(encode(batch, out.nioBuffer(0, size), size));
          writeOnLoop(ch, out);
          return true;
        }
        if (direct.capacity() < size) {
          direct = ByteBuffer.allocateDirect(Math.min(SENDER_WRITE_MAX, Math.max(size, direct.capacity() * 2)));
        }
        int end = encode(batch, direct, size);
        int written = 0;
        try {
          while (written < end) {
            int n = socket.write(direct, written, end);
            if (n <= 0) {
              break; // the socket's buffer is full: the event loop writes the rest once it drains
            }
            written += n;
          }
        } catch (IOException e) {
          LOG.debug("raft transport: write to member {}: {}", Long.toHexString(id), e.getMessage());
          ch.close();
          receiver.onUnreachable(id);
          return true;
        }
        if (written < end) {
          ByteBuf rest = ch.alloc().directBuffer(end - written);
          rest.writeBytes(direct.duplicate().position(written).limit(end));
          writeOnLoop(ch, rest);
        }
        if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
          loop.execute(flush);
        }
        return true;
      } finally {
        writeLock.unlock();
      }
    }

    /** On the peer's event loop: everything queued goes out in one buffer and one flush. */
    private void flush() {
      writeLock.lock();
      try {
        flushScheduled.set(false);
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
          if (queue.drain(m -> { }) > 0) {
            receiver.onUnreachable(id);
          }
          return;
        }
        Message[] batch = drainQueue();
        if (batch.length == 0) {
          return;
        }
        int size = encodedSize(batch);
        ByteBuf out = ch.alloc().directBuffer(size);
        out.writerIndex(encode(batch, out.nioBuffer(0, size), size));
        writeOnLoop(ch, out);
      } finally {
        writeLock.unlock();
      }
      if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
        loop.execute(flush);
      }
    }

    /** Hands {@code out} to the event loop; counted until it is in the socket. Called holding the write lock. */
    private void writeOnLoop(Channel ch, ByteBuf out) {
      loopWritesInFlight.incrementAndGet();
      ch.writeAndFlush(out).addListener(written -> loopWritesInFlight.decrementAndGet());
    }

    private Message[] drainQueue() {
      Message[] batch = new Message[Math.min(queue.size(), QUEUE_CAPACITY)];
      int count = 0;
      Message m;
      while (count < batch.length && (m = queue.relaxedPoll()) != null) {
        batch[count++] = m;
      }
      return count == batch.length ? batch : java.util.Arrays.copyOf(batch, count);
    }

    private static int encodedSize(Message[] batch) {
      int size = 0;
      for (Message m : batch) {
        size += LENGTH_FIELD + KIND_FIELD + MessageCodec.maxEncodedLength(m);
      }
      return size;
    }

    /** Encodes {@code batch} as MESSAGE frames from the start of {@code target}; returns where they end. */
    private int encode(Message[] batch, ByteBuffer target, int size) {
      encoder.wrap(target, 0, size);
      int at = 0;
      for (Message m : batch) {
        int length = MessageCodec.encode(m, encoder, at + LENGTH_FIELD + KIND_FIELD);
        encoder.putInt(at, KIND_FIELD + length, ByteOrder.BIG_ENDIAN);
        encoder.putByte(at + LENGTH_FIELD, MESSAGE);
        at += LENGTH_FIELD + KIND_FIELD + length;
      }
      encoder.wrap(NO_BYTES);
      return at;
    }

    /** On the event loop, once connected: the sending thread writes through a duplicate of the socket from now on. */
    private void openSenderSocket(Channel ch) {
      if (!(ch instanceof EpollSocketChannel epollChannel)) {
        return;
      }
      writeLock.lock();
      try {
        socket = new FileDescriptor(Linux.dup(epollChannel.fd().intValue()));
      } catch (LinkageError | RuntimeException e) {
        LOG.debug("raft transport: no direct writes to member {} ({}); the event loop writes", Long.toHexString(id),
            e.toString());
      } finally {
        writeLock.unlock();
      }
    }

    /** The connection closed: its duplicate goes too (only then does the peer see the connection end). */
    private void closeSenderSocket() {
      writeLock.lock();
      try {
        if (socket != null) {
          socket.close();
        }
      } catch (IOException e) {
        LOG.debug("raft transport: close the socket to member {}: {}", Long.toHexString(id), e.getMessage());
      } finally {
        socket = null;
        writeLock.unlock();
      }
    }

    void connect() {
      if (closed || stopped || connecting) {
        return;
      }
      connecting = true;
      new Bootstrap()
          .group(loop)
          .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(frameDecoder(), new InboundHandler());
            }
          })
          .connect(address)
          .addListener((ChannelFutureListener) f -> {
            connecting = false;
            if (!f.isSuccess()) {
              LOG.debug("raft transport: connect to member {} at {}: {}", Long.toHexString(id), address,
                  f.cause() == null ? "failed" : f.cause().getMessage());
              retryLater();
              return;
            }
            Channel ch = f.channel();
            if (stopped) {
              ch.close();
              return;
            }
            ByteBuf hello = ch.alloc().directBuffer(LENGTH_FIELD + HELLO_LENGTH);
            hello.writeInt(HELLO_LENGTH).writeByte(HELLO).writeLongLE(clusterId).writeLongLE(selfId);
            writeLock.lock();
            try {
              writeOnLoop(ch, hello);
            } finally {
              writeLock.unlock();
            }
            openSenderSocket(ch);
            backoffMs = MIN_BACKOFF_MS;
            channel = ch;
            LOG.info("raft transport: connected to member {} at {}", Long.toHexString(id), address);
            ch.closeFuture().addListener(closed -> {
              channel = null;
              closeSenderSocket();
              retryLater();
            });
            if (!queue.isEmpty() && flushScheduled.compareAndSet(false, true)) {
              loop.execute(flush);
            }
          });
    }

    private void retryLater() {
      if (closed || stopped) {
        return;
      }
      long delay = backoffMs;
      backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
      loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }
  }

  /** Reads frames on any connection: a HELLO first, then messages for this member. */
  private final class InboundHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final UnsafeBuffer decoder = new UnsafeBuffer(NO_BYTES);
    private boolean greeted;

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
        if (removed.contains(theirId)) {
          tellRemoved(ctx, theirId);
          return;
        }
        if (clusterId == 0 && theirCluster != 0 && peers.containsKey(theirId)) {
          clusterId = theirCluster; // joining: the cluster's members greet us with its id
          LOG.info("raft transport: joined cluster {} (greeted by member {})", Long.toHexString(theirCluster),
              Long.toHexString(theirId));
          receiver.onClusterId(theirCluster);
        }
        if (clusterId == 0 && theirCluster != 0 && !peers.containsKey(theirId)) {
          LOG.warn("raft transport: member {} of cluster {} greets this joining member, but no member of "
              + "--initial-cluster has that id here: does --initial-cluster-token match the cluster's? (the token "
              + "is part of every member id)", Long.toHexString(theirId), Long.toHexString(theirCluster));
        }
        if (theirCluster != clusterId) {
          String why = "member " + Long.toHexString(theirId) + " belongs to cluster " + Long.toHexString(theirCluster)
              + ", this is cluster " + Long.toHexString(clusterId);
          if (theirCluster != 0 && clusterId != 0) { // a joining member (0) learns the id; it is not refused for it
            LOG.warn("raft transport: refusing {}: {}", ctx.channel().remoteAddress(), why);
            ByteBuf refusal = ctx.alloc().buffer(LENGTH_FIELD + KIND_FIELD + 8);
            refusal.writeInt(KIND_FIELD + 8).writeByte(OTHER_CLUSTER).writeLongLE(clusterId);
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
        if (length == KIND_FIELD + 8 && clusterId != 0) {
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
      if (kind != MESSAGE || !greeted) {
        refuse(ctx, kind == MESSAGE ? "message before HELLO" : "unknown frame kind " + kind);
        return;
      }
      decoder.wrap(frame.nioBuffer(frame.readerIndex() + KIND_FIELD, length - KIND_FIELD));
      Message message;
      try {
        message = MessageCodec.decode(decoder, 0, length - KIND_FIELD);
      } catch (IllegalArgumentException e) {
        refuse(ctx, e.getMessage());
        return;
      } finally {
        decoder.wrap(NO_BYTES);
      }
      if (removed.contains(message.from())) {
        tellRemoved(ctx, message.from());
        return;
      }
      if (message.to() == selfId) {
        receiver.onMessage(message);
      }
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
}
