package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.InternalNettyServerCredentials;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

/**
 * The etcd v3 gRPC API (KV, Watch, Lease, Cluster, Maintenance) for one store, on one or more client addresses, and
 * on the same ports etcd's plain HTTP endpoints ({@code /health}, {@code /version}, {@code /metrics}) and its JSON
 * gateway ({@code /v3/...}, {@link EtcdJsonGateway}): each connection is one or the other by its first bytes
 * ({@link ClientPortNegotiator}).
 */
public final class EtcdGrpcServer implements AutoCloseable {

  /** etcd lets gRPC accept this much more than a request's limit, so that the limit is what reports the error. */
  private static final int GRPC_OVERHEAD_BYTES = 512 * 1024;

  /**
   * KV writes only decode and encode their request and queue it for Raft, so they run on the transport thread that
   * read them: a hop to another thread costs a thread wake-up, more than the call itself on a loaded machine. Range
   * starts there too; KvService hands any range but a single key's to the call executor (see KvService#range).
   */
  private static final Executor INLINE = Runnable::run;
  private static final Set<String> INLINE_METHODS = Set.of(KVGrpc.getPutMethod().getFullMethodName(),
      KVGrpc.getDeleteRangeMethod().getFullMethodName(), KVGrpc.getTxnMethod().getFullMethodName(),
      KVGrpc.getRangeMethod().getFullMethodName());

  private static final AtomicInteger IN_PROCESS_NAMES = new AtomicInteger();

  private final Server server;
  /** The same services for the JSON gateway, and its channel to them. */
  private final Server gatewayServer;
  private final ManagedChannel gatewayChannel;
  /** Runs every call but the KV writes: they may read much state or wait. */
  private final ExecutorService callExecutor;

  private EtcdGrpcServer(Server server, Server gatewayServer, ManagedChannel gatewayChannel,
                         ExecutorService callExecutor) {
    this.server = server;
    this.gatewayServer = gatewayServer;
    this.gatewayChannel = gatewayChannel;
    this.callExecutor = callExecutor;
  }

  /** Starts serving; an address with port 0 gets a free port (see {@link #addresses()}). */
  public static EtcdGrpcServer start(MvccKeyValueStore store, Membership membership,
                                     List<InetSocketAddress> listenAddresses) {
    return start(store, membership, listenAddresses, null);
  }

  /**
   * Starts serving with every client connection on {@code transportLoop} (which the caller owns and shuts down after
   * {@link #close}), or on gRPC's own event loops if it is null. A replicated member passes its Raft thread's loop
   * (RaftNode#eventLoop): a put is then read, proposed, applied and answered by that one thread, where gRPC's loops
   * woke the Raft thread for each proposal and were woken in turn for each answer.
   */
  public static EtcdGrpcServer start(MvccKeyValueStore store, Membership membership,
                                     List<InetSocketAddress> listenAddresses, EventLoopGroup transportLoop) {
    if (listenAddresses.isEmpty()) {
      throw new IllegalArgumentException("etcd API: no client address to listen on");
    }
    ResponseHeaders headers = new ResponseHeaders(membership, store);
    LearnerRequests learner = new LearnerRequests(membership::learner);
    // Plain HTTP shares the port through gRPC's protocol negotiator, its one hook that puts a handler first on each
    // connection (an Internal API of grpc-netty, stable across 1.x; DESIGN keeps grpc-java at 1.83.x). A front
    // listener of our own, proxying to gRPC, would add a hop to every put.
    ExecutorService callExecutor = Executors.newCachedThreadPool(new ThreadFactory() {
      private final AtomicInteger count = new AtomicInteger();

      @Override
      public Thread newThread(Runnable r) {
        Thread t = new Thread(r, "etcd-api-" + count.incrementAndGet());
        t.setDaemon(true);
        return t;
      }
    });
    List<ServerServiceDefinition> services = List.of(
        ServerInterceptors.intercept(
            MalformedRequests.guard(new KvService(store, headers, callExecutor).bindService()), learner),
        ServerInterceptors.intercept(MalformedRequests.guard(new WatchService(store, headers).bindService()), learner),
        ServerInterceptors.intercept(MalformedRequests.guard(new LeaseService(store, headers).bindService()), learner),
        ServerInterceptors.intercept(
            MalformedRequests.guard(new ClusterService(membership, headers).bindService()), learner),
        ServerInterceptors.intercept(
            MalformedRequests.guard(new MaintenanceService(store, membership, headers).bindService()), learner));
    // The JSON gateway calls the same services in process, so its answers and errors are gRPC's.
    String inProcessName = "tug-etcd-" + IN_PROCESS_NAMES.incrementAndGet();
    InProcessServerBuilder inProcess = InProcessServerBuilder.forName(inProcessName).executor(callExecutor);
    services.forEach(inProcess::addService);
    Server gatewayServer;
    try {
      gatewayServer = inProcess.build().start();
    } catch (IOException e) {
      callExecutor.shutdown();
      throw new UncheckedIOException("etcd API: in-process server " + inProcessName + ": " + e.getMessage(), e);
    }
    ManagedChannel gatewayChannel = InProcessChannelBuilder.forName(inProcessName).directExecutor().build();
    ClientPortNegotiator clientPort = new ClientPortNegotiator(
        new EtcdHttpEndpoints(store, membership, new EtcdJsonGateway(gatewayChannel)));
    NettyServerBuilder builder = NettyServerBuilder.forAddress(listenAddresses.get(0),
        InternalNettyServerCredentials.create(clientPort));
    for (InetSocketAddress more : listenAddresses.subList(1, listenAddresses.size())) {
      builder.addListenAddress(more);
    }
    // gRPC runs each call's method lookup on the server's executor and only then asks callExecutor where the call
    // goes: with a pool there, every write hopped to a pool thread for the lookup (2 of a member's 23 CPU-seconds in
    // check perf, plus a thread wake-up per write). Direct, the lookup runs on the transport thread that read the call.
    builder.directExecutor();
    if (transportLoop != null) {
      builder.bossEventLoopGroup(transportLoop).workerEventLoopGroup(transportLoop)
          .channelType(Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    }
    builder.callExecutor(new ServerCallExecutorSupplier() {
      @Override
      public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata metadata) {
        return INLINE_METHODS.contains(call.getMethodDescriptor().getFullMethodName()) ? INLINE : callExecutor;
      }
    });
    builder.maxInboundMessageSize(MvccKeyValueStore.MAX_REQUEST_BYTES + GRPC_OVERHEAD_BYTES)
        // etcdctl pings every 2 s by default; etcd tolerates it, so must we.
        .permitKeepAliveTime(1, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true);
    services.forEach(builder::addService);
    try {
      return new EtcdGrpcServer(builder.build().start(), gatewayServer, gatewayChannel, callExecutor);
    } catch (IOException e) {
      gatewayChannel.shutdownNow();
      gatewayServer.shutdownNow();
      callExecutor.shutdown();
      throw new UncheckedIOException("etcd API: listening on " + listenAddresses + ": " + e.getMessage(), e);
    }
  }

  public List<InetSocketAddress> addresses() {
    List<InetSocketAddress> bound = new ArrayList<>();
    for (SocketAddress a : server.getListenSockets()) {
      bound.add((InetSocketAddress) a);
    }
    return bound;
  }

  @Override
  public void close() {
    gatewayChannel.shutdownNow();
    gatewayServer.shutdownNow();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      callExecutor.shutdown();
    }
  }
}
