package dev.tugboat.control.store.replication;

import static dev.tugboat.control.store.replication.PeerFrames.KIND_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.LENGTH_FIELD;
import static dev.tugboat.control.store.replication.PeerFrames.MESSAGE;

import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.SnapshotStatus;
import dev.tugboat.nativebindings.Linux;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.concurrent.UnsafeBuffer;
import org.jctools.queues.MpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection this member dials to one peer, its outbound queue and its reconnect schedule (backoff from
 * {@value #MIN_BACKOFF_MS} ms to {@value #MAX_BACKOFF_MS} ms). Only this member writes on it; the peer writes back
 * only a REMOVED or OTHER_CLUSTER frame, read by an {@link InboundHandler}.
 *
 * <p>{@link #enqueue} is called by the Raft thread: it puts the message on the MPSC queue and, unless a flush is
 * already pending, flushes: everything queued is encoded into one buffer and written with one syscall. With epoll
 * the sending thread writes it itself into the socket (through a duplicate of the connection's descriptor), as long
 * as nothing handed to the event loop is still unwritten; otherwise, or when the socket takes only part of it, the
 * event loop writes (the rest). A hand-off to the event loop was a thread wake-up on every message of a put's path
 * (the leader's appends, each follower's answer, the commit that follows), each waiting for a CPU on a busy machine:
 * PutThreadCosts (3 members, one jetcd client, 10 s, 2026-11-29) counted 20.3 event-loop wake-ups per put over the
 * three members before (leader 9.4), 10.1 after (leader 5.1), event-loop CPU 1.77 ms per put before, 1.11 after.
 * In a member the Raft thread is now that event loop itself (see RaftNode): what it leaves to the loop goes out
 * after its cycle, with no wake-up.
 * Messages to a peer that is not connected are dropped and reported unreachable; Raft resends what matters.
 *
 * <p>It also keeps a peer to one snapshot stream at a time ({@link #streamSnapshot}, {@link SnapshotStream}).
 */
final class OutboundPeer {
  private static final Logger LOG = LoggerFactory.getLogger(OutboundPeer.class);
  private static final int QUEUE_CAPACITY = 1 << 14;
  private static final long MIN_BACKOFF_MS = 20;
  private static final long MAX_BACKOFF_MS = 1000;
  private static final byte[] NO_BYTES = new byte[0];
  /**
   * Larger batches are encoded and written by the event loop, as before direct writes, so that the sending thread's
   * buffer stays small. A single append stays below it (RaftConfig's maxSizePerMessage is 1 MiB of entries); a
   * snapshot's data never goes through {@link PeerTransport#send}.
   */
  private static final int SENDER_WRITE_MAX = 2 << 20;

  private final PeerTransport transport;
  private final PeerTransport.Receiver receiver;
  final long id;
  final InetSocketAddress address;
  final EventLoop loop;
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
  /**
   * What the sending thread left for the event loop to write (a batch too large for it, or what the socket did not
   * take), in order, each with the connection it belongs to; guarded by the write lock. The event loop writes these
   * before anything of its own: a buffer the sending thread handed to Netty itself would be queued behind a flush
   * already scheduled on the loop, which would then write its frames into the middle of the cut-short one (two
   * senders, PeerTransportTest: 3 of 40 runs had a frame with another's bytes inside).
   */
  private final ArrayDeque<HandedOff> handedOff = new ArrayDeque<>();
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

  private record HandedOff(Channel channel, ByteBuf bytes) {}

  OutboundPeer(PeerTransport transport, long id, InetSocketAddress address, EventLoop loop) {
    this.transport = transport;
    this.receiver = transport.receiver();
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

  /** The connection while it is open, else null. */
  Channel channel() {
    return channel;
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
        handOff(ch, out);
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
        handOff(ch, rest);
        return true;
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
      writeHandedOff(ch);
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

  /** On the event loop, holding the write lock: writes {@code out}, counted until it is in the socket. */
  private void writeOnLoop(Channel ch, ByteBuf out) {
    loopWritesInFlight.incrementAndGet();
    ch.writeAndFlush(out).addListener(written -> loopWritesInFlight.decrementAndGet());
  }

  /**
   * On the sending thread, holding the write lock: leaves {@code out} for the event loop to write before anything
   * else, counted from now (so that the sending thread writes nothing more itself until it is in the socket).
   */
  private void handOff(Channel ch, ByteBuf out) {
    loopWritesInFlight.incrementAndGet();
    handedOff.add(new HandedOff(ch, out));
    // a flush pending already writes it first; a new one is needed only if none is
    if (flushScheduled.compareAndSet(false, true)) {
      loop.execute(flush);
    }
  }

  /** On the event loop, holding the write lock: what was handed off, in order; dropped if its connection is gone. */
  private void writeHandedOff(Channel current) {
    HandedOff next;
    while ((next = handedOff.poll()) != null) {
      if (next.channel() == current && current.isActive()) {
        current.writeAndFlush(next.bytes()).addListener(written -> loopWritesInFlight.decrementAndGet());
      } else {
        next.bytes().release();
        loopWritesInFlight.decrementAndGet();
      }
    }
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
    if (transport.isClosed() || stopped) {
      receiver.onSnapshotReport(id, SnapshotStatus.FAILED);
      return;
    }
    streamingSnapshot = true;
    new SnapshotStream(this, message).dial(transport, file);
  }

  /** On the peer's event loop, once per stream. */
  void snapshotEnded(SnapshotStatus status) {
    streamingSnapshot = false;
    receiver.onSnapshotReport(id, status);
  }

  void connect() {
    if (transport.isClosed() || stopped || connecting) {
      return;
    }
    connecting = true;
    new Bootstrap()
        .group(loop)
        .channel(transport.epoll() ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(PeerFrames.frameDecoder(), new InboundHandler(transport));
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
          ByteBuf hello = PeerFrames.hello(ch.alloc(), transport.clusterId(), transport.selfId());
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
    if (transport.isClosed() || stopped) {
      return;
    }
    long delay = backoffMs;
    backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
  }
}
