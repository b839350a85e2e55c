package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.SnapshotStatus;
import dev.tugboat.nativebindings.Linux;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
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
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 *
 * <p>A SNAPSHOT message goes apart, as etcd's does ({@link #sendSnapshot}): the member dials a connection for it alone
 * and sends HELLO, a SNAPSHOT frame (the file's length and the message, which carries only the metadata), then the
 * snapshot file in SNAPSHOT_CHUNK frames read from disk as the socket drains ({@link SnapshotChunks}). The receiver
 * writes them to a temporary file ({@link IncomingSnapshot}), checks it, hands message and file to the member and
 * answers with a SNAPSHOT_RESULT frame, which the sender reports to Raft (FINISHED, or FAILED for a refusal, a broken
 * connection or a stream idle for a minute).
 */
public final class PeerTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);
  static final int LENGTH_FIELD = 4;
  static final int KIND_FIELD = 1;
  private static final byte HELLO = 1;
  private static final byte MESSAGE = 2;
  private static final byte REMOVED = 3;
  private static final byte OTHER_CLUSTER = 4;
  /** Opens a snapshot stream: the file's length (long), then the SNAPSHOT message (metadata only). */
  private static final byte SNAPSHOT = 5;
  /** A piece of the snapshot file (see {@link SnapshotChunks}). */
  static final byte SNAPSHOT_CHUNK = 6;
  /** The receiver's answer once the file is checked: one byte, 1 if it was whole and handed to Raft. */
  private static final byte SNAPSHOT_RESULT = 7;
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
  private static final int HELLO_LENGTH = KIND_FIELD + 16;
  static final int MAX_FRAME = 1 << 30;
  private static final int QUEUE_CAPACITY = 1 << 14;
  private static final long MIN_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 1000;
  private static final byte[] NO_BYTES = new byte[0];
  /**
   * Larger batches are encoded and written by the event loop, as before direct writes, so that the sending thread's
   * buffer stays small. A single append stays below it (RaftConfig's maxSizePerMessage is 1 MiB of entries); a
   * snapshot's data never goes through {@link #send}.
   */
  private static final int SENDER_WRITE_MAX = 2 << 20;

  /** What the transport hands to the member; called on I/O threads. */
  public interface Receiver {
    void onMessage(Message message);

    /**
     * A SNAPSHOT message arrived with its file, received whole and checked under a temporary name in the snapshot
     * directory: the member now owns the file (installs it, or deletes it if Raft does not want it).
     */
    void onSnapshot(Message message, SnapshotFiles.Stored file);

    /** How streaming a snapshot to {@code peer} ended (for {@code RaftCore.reportSnapshot}). */
    void onSnapshotReport(long peer, SnapshotStatus status);

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
  private final Path snapshotDirectory;
  /** Forces and checks received snapshot files, which would hold up an event loop for a second at a time. */
  private final ExecutorService snapshotDisk;
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

  /** A transport that writes the snapshots peers stream to it into {@code snapshotDirectory}. */
  public PeerTransport(long clusterId, long selfId, InetSocketAddress listenAddress,
                       Map<Long, InetSocketAddress> peerAddresses, Path snapshotDirectory, Receiver receiver) {
    this.clusterId = clusterId;
    this.selfId = selfId;
    this.listenAddress = listenAddress;
    this.snapshotDirectory = snapshotDirectory;
    this.snapshotDisk = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "raft-" + Long.toHexString(selfId) + "-snapshot-receive");
      t.setDaemon(true);
      return t;
    });
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

  /**
   * Queues {@code message} for its peer; never blocks. Safe from one producer thread or several. A SNAPSHOT message
   * goes through {@link #sendSnapshot} instead.
   */
  public void send(Message message) {
    if (message.type() == MessageType.SNAPSHOT) {
      throw new IllegalArgumentException("raft transport: " + message + " needs its file: use sendSnapshot");
    }
    Peer peer = peers.get(message.to());
    if (peer == null) {
      LOG.debug("raft transport: no peer {} for {}", message.to(), message);
      return;
    }
    peer.enqueue(message);
  }

  /**
   * Streams the snapshot {@code message} names from {@code file} to its peer on a connection of its own (so that
   * heartbeats and appends to the peer do not wait behind it), in chunks read from disk as the connection drains,
   * and reports how it ended through {@link Receiver#onSnapshotReport}. One stream per peer at a time: a SNAPSHOT
   * for a peer that is still receiving one is dropped, as the report of the one under way answers for it.
   */
  public void sendSnapshot(Message message, Path file) {
    Peer peer = peers.get(message.to());
    if (peer == null || closed) {
      receiver.onSnapshotReport(message.to(), SnapshotStatus.FAILED);
      return;
    }
    peer.loop.execute(() -> peer.streamSnapshot(message, file));
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
    snapshotDisk.shutdown();
    try {
      // a received file being checked is deleted or handed over before the member closes its log
      snapshotDisk.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
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
    /** A snapshot stream to this peer is under way (event loop only). */
    private boolean streamingSnapshot;

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

    /** On the peer's event loop: dials a connection for the snapshot alone and streams the file on it. */
    void streamSnapshot(Message message, Path file) {
      if (streamingSnapshot) {
        LOG.debug("raft transport: member {} is still receiving a snapshot; {} dropped", Long.toHexString(id),
            message);
        return;
      }
      if (closed || stopped) {
        receiver.onSnapshotReport(id, SnapshotStatus.FAILED);
        return;
      }
      streamingSnapshot = true;
      SnapshotSendHandler outcome = new SnapshotSendHandler(this, message);
      new Bootstrap()
          .group(loop)
          .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
          .option(ChannelOption.TCP_NODELAY, true)
          .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
          .option(ChannelOption.WRITE_BUFFER_WATER_MARK, SNAPSHOT_WATER_MARK)
          .handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new IdleStateHandler(0, 0, SNAPSHOT_IDLE_SECONDS), frameDecoder(),
                  new ChunkedWriteHandler(), outcome);
            }
          })
          .connect(address)
          .addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
              LOG.info("raft transport: snapshot for member {}: connect to {}: {}", Long.toHexString(id), address,
                  f.cause() == null ? "failed" : f.cause().getMessage());
              snapshotEnded(SnapshotStatus.FAILED);
              return;
            }
            Channel ch = f.channel();
            SnapshotChunks chunks;
            try {
              chunks = new SnapshotChunks(FileChannel.open(file, StandardOpenOption.READ));
            } catch (IOException e) {
              LOG.warn("raft transport: snapshot for member {}: open {}: {}", Long.toHexString(id), file,
                  e.toString());
              ch.close(); // reported FAILED when the channel is inactive
              return;
            }
            outcome.started(chunks.length());
            ByteBuf hello = ch.alloc().directBuffer(LENGTH_FIELD + HELLO_LENGTH);
            hello.writeInt(HELLO_LENGTH).writeByte(HELLO).writeLongLE(clusterId).writeLongLE(selfId);
            ch.write(hello, ch.voidPromise());
            int bodyLength = KIND_FIELD + 8 + MessageCodec.maxEncodedLength(message);
            ByteBuf header = ch.alloc().heapBuffer(LENGTH_FIELD + bodyLength);
            UnsafeBuffer headerEncoder = new UnsafeBuffer(header.array(), header.arrayOffset(), header.capacity());
            int length = MessageCodec.encode(message, headerEncoder, LENGTH_FIELD + KIND_FIELD + 8);
            header.writeInt(KIND_FIELD + 8 + length).writeByte(SNAPSHOT).writeLong(chunks.length());
            header.writerIndex(LENGTH_FIELD + KIND_FIELD + 8 + length);
            ch.write(header, ch.voidPromise());
            ch.writeAndFlush(chunks).addListener((ChannelFutureListener) sent -> {
              if (!sent.isSuccess()) {
                LOG.info("raft transport: snapshot for member {}: {}", Long.toHexString(id),
                    sent.cause() == null ? "write failed" : sent.cause().toString());
                sent.channel().close();
              }
            });
          });
    }

    /** On the peer's event loop, once per stream. */
    void snapshotEnded(SnapshotStatus status) {
      streamingSnapshot = false;
      receiver.onSnapshotReport(id, status);
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
    /** The snapshot this connection carries, if it is a snapshot stream. */
    private IncomingSnapshot incoming;

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
      if (removed.contains(message.from())) {
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
        incoming = new IncomingSnapshot(snapshotDirectory, message, fileLength);
      } catch (IOException e) {
        LOG.warn("raft transport: receiving {}: {}", message, e.toString());
        answerSnapshot(ctx, false);
        return;
      }
      LOG.info("raft transport: receiving the snapshot at index {} ({} bytes) from member {}",
          message.snapshot().metadata().index(), fileLength, Long.toHexString(message.from()));
    }

    private void receiveChunk(ChannelHandlerContext ctx, java.nio.ByteBuffer chunk) {
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
          snapshotDisk.execute(snapshot::forceWritten);
        }
        return;
      }
      snapshotDisk.execute(() -> {
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

  /**
   * The leader's end of one snapshot stream: reports FINISHED when the receiver answers that the file was whole,
   * FAILED when it answers otherwise, or the connection ends or idles before an answer.
   */
  private static final class SnapshotSendHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private final Peer peer;
    private final Message message;
    private final long startNanos = System.nanoTime();
    private long fileLength;
    private boolean reported;

    SnapshotSendHandler(Peer peer, Message message) {
      this.peer = peer;
      this.message = message;
    }

    void started(long fileLength) {
      this.fileLength = fileLength;
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
}
