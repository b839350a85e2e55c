package dev.tugboat.control.store.etcd;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd's {@code --listen-metrics-urls}: plain HTTP listeners that serve {@code /metrics} and {@code /health} only, so
 * that a scraper can reach them where the client port is not exposed. One event-loop thread serves them all (a scrape
 * every few seconds), with the same {@link EtcdHttpHandler} as the client port's plain HTTP connections.
 */
public final class EtcdMetricsServer implements AutoCloseable {

  private final EventLoopGroup group;
  private final List<Channel> listeners;

  private EtcdMetricsServer(EventLoopGroup group, List<Channel> listeners) {
    this.group = group;
    this.listeners = listeners;
  }

  /** Listens on every address (port 0 picks a free one, see {@link #addresses()}); fails naming the address. */
  public static EtcdMetricsServer start(EtcdHttpEndpoints endpoints, List<InetSocketAddress> addresses) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tug-store-metrics", true),
        NioIoHandler.newFactory());
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            EtcdHttpHandler.install(channel.pipeline(), null, endpoints, EtcdHttpEndpoints.Listener.METRICS);
          }
        });
    List<Channel> listeners = new ArrayList<>();
    EtcdMetricsServer server = new EtcdMetricsServer(group, listeners);
    for (InetSocketAddress address : addresses) {
      ChannelFuture bound = bootstrap.bind(address).awaitUninterruptibly();
      if (!bound.isSuccess()) {
        server.close();
        throw new IllegalStateException("--listen-metrics-urls: listening on http://" + address.getHostString() + ":"
            + address.getPort() + ": " + bound.cause().getMessage(), bound.cause());
      }
      listeners.add(bound.channel());
    }
    return server;
  }

  public List<InetSocketAddress> addresses() {
    return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
  }

  @Override
  public void close() {
    for (Channel listener : listeners) {
      listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
