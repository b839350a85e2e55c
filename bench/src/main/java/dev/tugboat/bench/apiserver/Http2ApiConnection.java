package dev.tugboat.bench.apiserver;

import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import io.fabric8.kubernetes.client.Config;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One TLS connection speaking HTTP/2 to the API server, as client-go holds one (kubectl, controllers, kubelets): the
 * kubeconfig's client certificate, each watch on a stream of its own, its events arriving as lines of JSON on a stream
 * that stays open (creates go through {@link Http2PostConnection}, without a child channel per stream). Netty with
 * BoringSSL, as the server: the JDK's HTTP/2 client and TLS under fabric8 took more of the 2 shared cores per create
 * than the server did (0.86-0.91 ms of the bench's CPU against the server's 0.64-0.73, 2026-11-29), so the bench
 * measured its own client as much as the server.
 */
final class Http2ApiConnection implements AutoCloseable {
  private static final int MAX_RESPONSE_BYTES = 1 << 20;
  /**
   * The receive window client-go's HTTP/2 transport announces for each stream (golang.org/x/net/http2's
   * transportDefaultStreamFlow, 4 MiB; its connection window, 1 GiB, is larger still). Netty's codec otherwise keeps
   * the protocol's 64 KiB for the stream and the connection: a watch event of the watch case takes about 1 KiB on the
   * wire (bytes read per event by the bench, 2026-11-29), so the window held about 50 ms of one watcher's events at
   * 1,250 pods/s, and a watcher whose event loop came round later than that (a bench GC pause, its C2 compiling, run
   * queue waits of 50-100 ms per 50 ms on the loaded machine) left the server unable to write to it until a
   * WINDOW_UPDATE came back, a stall a client-go watcher would reach only 64 times later. The codec widens the
   * connection's window past it (to about twice the stream's).
   */
  static final int CLIENT_GO_STREAM_WINDOW_BYTES = 4 << 20;
  private final EventLoopGroup group;
  private final boolean ownsGroup;
  private final Channel connection;
  private final Http2StreamChannelBootstrap streams;
  private final String authority;

  private Http2ApiConnection(EventLoopGroup group, boolean ownsGroup, Channel connection, String authority) {
    this.group = group;
    this.ownsGroup = ownsGroup;
    this.connection = connection;
    this.authority = authority;
    this.streams = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
            new HttpObjectAggregator(MAX_RESPONSE_BYTES));
      }
    });
  }

  /** A connection with an event loop of its own. */
  static Http2ApiConnection connect(Config config) throws Exception {
    EventLoopGroup group = ClientTransport.eventLoops("watch", 1);
    try {
      return connect(config, group, true);
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** A connection on {@code group}'s event loops, which the caller shuts down after closing it. */
  static Http2ApiConnection connect(Config config, EventLoopGroup group) throws Exception {
    return connect(config, group, false);
  }

  /**
   * A connection on {@code group}'s event loops with a TLS context made once by {@link #tls} for many connections:
   * making one takes tens of milliseconds of CPU (the key store Netty builds around the client key).
   */
  static Http2ApiConnection connect(Config config, SslContext tls, EventLoopGroup group) throws Exception {
    return connect(config, tls, group, false);
  }

  private static Http2ApiConnection connect(Config config, EventLoopGroup group, boolean ownsGroup) throws Exception {
    return connect(config, tls(config), group, ownsGroup);
  }

  /** Connects to the kubeconfig's server; fails unless ALPN chose HTTP/2. */
  private static Http2ApiConnection connect(Config config, SslContext tls, EventLoopGroup group, boolean ownsGroup)
      throws Exception {
    Tls connected = connectTls(config, tls, group, clientCodec(),
        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
    return new Http2ApiConnection(group, ownsGroup, connected.channel(), connected.authority());
  }

  /** The HTTP/2 client side of a watcher's connection, announcing client-go's receive window. */
  static Http2FrameCodec clientCodec() {
    return Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().initialWindowSize(CLIENT_GO_STREAM_WINDOW_BYTES)).build();
  }

  /** A TLS connection on which ALPN chose HTTP/2, and the authority its requests name. */
  record Tls(Channel channel, String authority) {}

  /** The kubeconfig's CA and client certificate, offering HTTP/2 only. */
  static SslContext tls(Config config) throws Exception {
    PrivateKey key = CertificateAndKey.parsePrivateKey(pem(config.getClientKeyData()), "kubeconfig client-key-data");
    X509Certificate certificate = CertificateAndKey.parseCertificate(pem(config.getClientCertData()),
        "kubeconfig client-certificate-data");
    X509Certificate ca = CertificateAndKey.parseCertificate(pem(config.getCaCertData()),
        "kubeconfig certificate-authority-data");
    return SslContextBuilder.forClient()
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .keyManager(key, certificate)
        .trustManager(ca)
        .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
        .build();
  }

  /** {@link #connectTls(Config, SslContext, EventLoopGroup, ChannelHandler...)} with a TLS context of its own. */
  static Tls connectTls(Config config, EventLoopGroup group, ChannelHandler... http2) throws Exception {
    return connectTls(config, tls(config), group, http2);
  }

  /**
   * Connects to the kubeconfig's server with {@code tls}, {@code http2} after TLS in the pipeline; fails unless ALPN
   * chose HTTP/2.
   */
  static Tls connectTls(Config config, SslContext tls, EventLoopGroup group, ChannelHandler... http2)
      throws Exception {
    URI server = URI.create(config.getMasterUrl());
    String host = server.getHost();
    int port = server.getPort() > 0 ? server.getPort() : 443;
    Channel connection = new Bootstrap().group(group).channel(ClientTransport.socketChannel())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            channel.pipeline().addLast(tls.newHandler(channel.alloc(), host, port));
            channel.pipeline().addLast(http2);
          }
        })
        .connect(host, port).sync().channel();
    SslHandler handshake = connection.pipeline().get(SslHandler.class);
    handshake.handshakeFuture().sync();
    if (!ApplicationProtocolNames.HTTP_2.equals(handshake.applicationProtocol())) {
      connection.close();
      throw new IOException(server + " did not agree to HTTP/2 (ALPN: " + handshake.applicationProtocol() + ")");
    }
    return new Tls(connection, host + ":" + port);
  }

  private static String pem(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
  }

  /**
   * GETs {@code path} (a watch) on a new stream and hands {@code onLine} each line of the answer as it arrives; the
   * future completes with the answer's status when its headers arrive (a watch is established). {@code onFailure}
   * hears of what ends the stream: an exception of {@code onLine} or the stream's, or the stream closing.
   */
  CompletableFuture<Integer> watch(String path, WatchLines.LineConsumer onLine, Consumer<Throwable> onFailure)
      throws Exception {
    CompletableFuture<Integer> established = new CompletableFuture<>();
    Http2StreamChannel stream = streams.open().get(60, TimeUnit.SECONDS);
    stream.pipeline().remove(HttpObjectAggregator.class);
    stream.pipeline().addLast(new SimpleChannelInboundHandler<HttpObject>() {
      private final WatchLines lines = new WatchLines(onLine);

      @Override
      protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
        if (message instanceof HttpResponse response) {
          established.complete(response.status().code());
        }
        if (message instanceof HttpContent content) {
          lines.accept(content.content());
        }
      }

      @Override
      public void channelInactive(ChannelHandlerContext ctx) {
        IOException closed = new IOException("the stream of GET " + path + " closed");
        established.completeExceptionally(closed);
        onFailure.accept(closed);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        established.completeExceptionally(cause);
        onFailure.accept(cause);
        ctx.close();
      }
    });
    DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path);
    request.headers().set(HttpHeaderNames.HOST, authority).set(HttpHeaderNames.ACCEPT, "application/json");
    stream.writeAndFlush(request).addListener(written -> {
      if (!written.isSuccess()) {
        established.completeExceptionally(written.cause());
      }
    });
    return established;
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
    if (ownsGroup) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
