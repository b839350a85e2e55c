package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.pki.ClusterPki;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes API over HTTPS: one port, TLS 1.2/1.3 with ALPN choosing HTTP/2 or HTTP/1.1, client certificates
 * asked for (and checked by the authenticator), Netty epoll event loops.
 */
public final class ApiServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
  /** A watcher this far behind is cut off; about a thousand typical events. */
  public static final long MAX_PENDING_WATCH_BYTES = 8L * 1024 * 1024;

  /** How long a stopping server waits for its goodbyes to be written before it drops the connections. */
  private static final long GOODBYE_MS = 1000;

  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel listener;
  private final ChannelGroup connections;

  private ApiServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener, ChannelGroup connections) {
    this.boss = boss;
    this.workers = workers;
    this.listener = listener;
    this.connections = connections;
  }

  /** Binds {@code address} (port 0 picks a free port) and serves until {@link #close()}. */
  public static ApiServer start(InetSocketAddress address, ClusterPki pki, ApiDispatcher dispatcher)
      throws InterruptedException {
    SslContext ssl = sslContext(pki);
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends ServerChannel> channelType = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, io);
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    ChannelGroup connections = new DefaultChannelGroup("api-server-connections", GlobalEventExecutor.INSTANCE);
    try {
      Channel listener = new ServerBootstrap()
          .group(boss, workers)
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 1024)
          // a restarted server binds its port again at once, though the connections it closed linger in TIME_WAIT;
          // Netty's epoll and the JDK's NIO server sockets both default to it on Linux: said here so it stays so
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              connections.add(channel);
              channel.pipeline().addLast(ssl.newHandler(channel.alloc()),
                  new ProtocolNegotiationHandler(dispatcher, BoundedRequestAggregator.KUBERNETES_MAX_REQUEST_BYTES,
                      MAX_PENDING_WATCH_BYTES));
            }
          })
          .bind(address).sync().channel();
      if (SSL_PROVIDER == SslProvider.JDK) {
        LOG.warn("BoringSSL unavailable ({}); TLS on the JDK's engine", String.valueOf(OpenSsl.unavailabilityCause()));
      }
      if (!epoll) {
        LOG.warn("epoll unavailable ({}); serving with NIO", Epoll.unavailabilityCause().toString());
      }
      return new ApiServer(boss, workers, listener, connections);
    } catch (InterruptedException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.localAddress();
  }

  /**
   * BoringSSL (netty-tcnative) where its native library loads: it takes a fraction of the JDK engine's CPU per
   * record, which with one HTTP/2 connection carrying every request of a client is most of an event loop's work.
   */
  static final SslProvider SSL_PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;

  static SslContext sslContext(ClusterPki pki) {
    try {
      return SslContextBuilder.forServer(pki.serving().privateKey(), pki.serving().certificate(), pki.ca().certificate())
          .sslProvider(SSL_PROVIDER)
          .protocols("TLSv1.3", "TLSv1.2")
          .clientAuth(ClientAuth.OPTIONAL)
          .trustManager(new ClientCertificateRequestingTrustManager(pki.ca().certificate()))
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("TLS context from the serving certificate: " + e.getMessage(), e);
    }
  }

  /**
   * Stops accepting, tells each watch WebSocket client that the server is going away (bounded by
   * {@link #GOODBYE_MS}), then drops every connection: clients reconnect, to this port once a new server binds it.
   */
  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    List<ChannelFuture> goodbyes = new ArrayList<>();
    for (Channel connection : connections) {
      ChannelFuture goodbye = WebSocketWatchFrames.goingAway(connection);
      if (goodbye != null) {
        goodbyes.add(goodbye);
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GOODBYE_MS);
    for (ChannelFuture goodbye : goodbyes) {
      goodbye.awaitUninterruptibly(Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    connections.close().awaitUninterruptibly(GOODBYE_MS);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
