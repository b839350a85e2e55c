package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.SnapshotStatus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries Raft messages between the members of one cluster over TCP (Netty, epoll where the kernel has it): listens
 * for peers, keeps the table of peers it dials, routes each message to its peer, and owns the thread that checks
 * received snapshots and, unless a member lends it the loop its Raft thread runs on, its event loop.
 *
 * <p>Each member dials every peer once and writes only on the connection it dialed ({@link OutboundPeer}: its queue,
 * the sending thread's direct writes, reconnects); connections it accepts it only reads ({@link InboundHandler}).
 * Frames are laid out in {@link PeerFrames}: HELLO (cluster id, member id) opens every connection so a member of
 * another cluster is refused, then MESSAGE frames carry {@link MessageCodec} bodies. A member removed from the cluster
 * that still dials or talks is answered with a REMOVED frame (the only frame sent on an accepted connection), so that
 * it learns it was removed even if it missed the entry that removed it; a member of another cluster gets an
 * OTHER_CLUSTER frame with this cluster's id, so that a member started with the wrong --initial-cluster-token learns
 * why nobody listens.
 *
 * <p>Peers come and go with membership changes ({@link #setPeer}, {@link #removePeer}). A member joining an
 * existing cluster does not know the cluster id yet (0): it takes the one the first peer greets it with.
 *
 * <p>{@link #send} is called by the Raft thread and never blocks: the message goes on the peer's queue and is
 * written by the calling thread itself where it can (see {@link OutboundPeer} for why, with measurements). Messages
 * to a peer that is not connected are dropped and reported unreachable; Raft resends what matters.
 *
 * <p>A SNAPSHOT message goes apart, as etcd's does ({@link #sendSnapshot}): the member dials a connection for it alone
 * ({@link SnapshotStream}) and sends HELLO, a SNAPSHOT frame (the file's length and the message, which carries only
 * the metadata), then the snapshot file in SNAPSHOT_CHUNK frames read from disk as the socket drains
 * ({@link SnapshotChunks}). The receiver writes them to a temporary file ({@link IncomingSnapshot}), checks it, hands
 * message and file to the member and answers with a SNAPSHOT_RESULT frame, which the sender reports to Raft
 * (FINISHED, or FAILED for a refusal, a broken connection or a stream idle for a minute).
 */
public final class PeerTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PeerTransport.class);

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
  /** Whether {@link #close} shuts the event loop down (a member's loop outlives its transport by a little). */
  private final boolean ownsGroup;
  private final boolean epoll;
  private final Map<Long, OutboundPeer> peers = new ConcurrentHashMap<>();
  private final Set<Long> removed = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;
  private volatile boolean started;
  private Channel serverChannel;
  /** Connections peers dialed to us; closed explicitly on close so that peers notice at once. */
  private final ChannelGroup accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /**
   * A transport that writes the snapshots peers stream to it into {@code snapshotDirectory}, on an event loop of its
   * own.
   */
  public PeerTransport(long clusterId, long selfId, InetSocketAddress listenAddress,
                       Map<Long, InetSocketAddress> peerAddresses, Path snapshotDirectory, Receiver receiver) {
    this(clusterId, selfId, listenAddress, peerAddresses, snapshotDirectory, receiver, null);
  }

  /**
   * A transport whose connections all live on {@code loop}, one of {@link #newEventLoop}'s, which the caller owns:
   * a member runs its Raft duty cycle on the same thread, so that a peer's message is read, decoded and stepped by
   * one thread (see RaftNode).
   */
  public PeerTransport(long clusterId, long selfId, InetSocketAddress listenAddress,
                       Map<Long, InetSocketAddress> peerAddresses, Path snapshotDirectory, Receiver receiver,
                       EventLoopGroup loop) {
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
    // One event loop for every peer: it only reads (the sending thread writes), and the answers of two followers that
    // arrive together then cost the leader one wake-up instead of one per follower (PutThreadCosts, 2026-11-29: the
    // leader's event-loop wake-ups per sequential put 5.1 with two loops, 4.3 with one; one run each, a noisy machine).
    this.ownsGroup = loop == null;
    String loopName = "raft-" + Long.toHexString(selfId) + "-io";
    this.group = loop != null ? loop : newEventLoop(r -> new FastThreadLocalThread(r, loopName));
    peerAddresses.forEach((id, address) -> {
      if (id != selfId) {
        peers.put(id, new OutboundPeer(this, id, address, group.next()));
      }
    });
  }

  /** A single-thread event loop group of the kind the transport's channels need (epoll where the kernel has it). */
  public static EventLoopGroup newEventLoop(ThreadFactory threads) {
    IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(1, threads, io);
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
            ch.pipeline().addLast(PeerFrames.frameDecoder(), new InboundHandler(PeerTransport.this));
          }
        });
    try {
      serverChannel = server.bind(listenAddress).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("raft transport: listen on " + listenAddress + ": interrupted", e);
    } catch (Exception e) {
      if (ownsGroup) {
        group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      }
      throw new IllegalStateException("raft transport: listen on " + listenAddress + ": " + e.getMessage(), e);
    }
    started = true;
    peers.values().forEach(OutboundPeer::connect);
    return this;
  }

  /** Sends to {@code id} at {@code address} from now on (a new member, or one whose peer URL changed). */
  public void setPeer(long id, InetSocketAddress address) {
    if (id == selfId || closed) {
      return;
    }
    removed.remove(id);
    OutboundPeer existing = peers.get(id);
    if (existing != null && existing.address.equals(address)) {
      return;
    }
    OutboundPeer peer = new OutboundPeer(this, id, address, group.next());
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
    OutboundPeer peer = peers.remove(id);
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
    OutboundPeer peer = peers.get(message.to());
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
    OutboundPeer peer = peers.get(message.to());
    if (peer == null || closed) {
      receiver.onSnapshotReport(message.to(), SnapshotStatus.FAILED);
      return;
    }
    peer.loop.execute(() -> peer.streamSnapshot(message, file));
  }

  public boolean isConnected(long peer) {
    OutboundPeer p = peers.get(peer);
    return p != null && p.channel() != null && p.channel().isActive();
  }

  @Override
  public void close() {
    closed = true;
    if (serverChannel != null) {
      serverChannel.close().awaitUninterruptibly();
    }
    accepted.close().awaitUninterruptibly();
    for (OutboundPeer peer : peers.values()) {
      Channel ch = peer.channel();
      if (ch != null) {
        ch.close().awaitUninterruptibly();
      }
    }
    snapshotDisk.shutdown();
    try {
      // a received file being checked is deleted or handed over before the member closes its log
      snapshotDisk.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // after the checks: one that ends answers the sender through the loop (its write fails on the closed connection,
    // but its listener still needs a running loop; it logged a rejected task when the loop had stopped first)
    if (ownsGroup) {
      group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).awaitUninterruptibly();
    }
  }

  Receiver receiver() {
    return receiver;
  }

  long selfId() {
    return selfId;
  }

  /** Whether connections are made with epoll (else NIO). */
  boolean epoll() {
    return epoll;
  }

  boolean isClosed() {
    return closed;
  }

  /** Whether {@code id} was removed from the cluster (and is told so if it talks to us). */
  boolean isRemoved(long id) {
    return removed.contains(id);
  }

  boolean hasPeer(long id) {
    return peers.containsKey(id);
  }

  /** A joining member was greeted by a member of its cluster with the cluster's id. */
  void joinedCluster(long clusterId) {
    this.clusterId = clusterId;
  }

  Path snapshotDirectory() {
    return snapshotDirectory;
  }

  /** Forces and checks received snapshot files, off the event loop. */
  ExecutorService snapshotDisk() {
    return snapshotDisk;
  }
}
