package dev.tugboat.bench.apiserver;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The sockets of the bench's clients: Netty's epoll where the kernel and the native library have it, as the API
 * server uses and as client-go's Go runtime polls, else NIO. NIO's selector wakes through Java's SelectorImpl (a
 * key set, a wakeup pipe), epoll's transport goes straight to epoll_wait and edge-triggered reads: less of the bench's
 * CPU per event on the 2 cores the server runs on. Every group and channel class comes from here, so the two always
 * match.
 */
final class ClientTransport {
  static final boolean EPOLL = Epoll.isAvailable();

  private ClientTransport() {}

  /** {@code threads} event loops named {@code name-N-M}, so that their CPU can be told apart in /proc. */
  static EventLoopGroup eventLoops(String name, int threads) {
    return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name),
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  static Class<? extends SocketChannel> socketChannel() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** The transport in use, for the bench's output. */
  static String name() {
    return EPOLL ? "epoll" : "NIO (epoll unavailable: " + Epoll.unavailabilityCause() + ")";
  }
}
