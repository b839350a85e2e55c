package dev.tugboat.runtime.kubelet;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The node agent's HTTPS server, with kubelet's paths: {@code /containerLogs/NS/POD/CONTAINER}, {@code /exec/...} and
 * {@code /attach/...} (WebSocket, channel protocol v5/v4), {@code /healthz}. Only clients with a certificate from the
 * cluster CA (the API server) are served: TLS refuses the others.
 */
final class KubeletServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletServer.class);

  private final EventLoopGroup group;
  private final Channel listener;

  private KubeletServer(EventLoopGroup group, Channel listener) {
    this.group = group;
    this.listener = listener;
  }

  static KubeletServer start(InetSocketAddress address, X509Certificate serving, PrivateKey key, X509Certificate ca,
      PodSync pods) throws InterruptedException {
    SslContext ssl;
    try {
      ssl = SslContextBuilder.forServer(key, serving).sslProvider(SslProvider.JDK).protocols("TLSv1.3", "TLSv1.2")
          .clientAuth(ClientAuth.REQUIRE).trustManager(ca).build();
    } catch (SSLException e) {
      throw new IllegalStateException("TLS context from the kubelet serving certificate: " + e.getMessage(), e);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    try {
      Channel listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
              channel.pipeline().addLast(ssl.newHandler(channel.alloc()), new HttpServerCodec(),
                  new HttpObjectAggregator(64 * 1024), new Routes(pods));
            }
          }).bind(address).sync().channel();
      return new KubeletServer(group, listener);
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  InetSocketAddress localAddress() {
    return (InetSocketAddress) listener.localAddress();
  }

  @Override
  public void close() {
    listener.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The parts of a kubelet path: {@code /KIND/NS/POD/CONTAINER}. */
  record Target(String kind, String namespace, String pod, String container) {
    static Optional<Target> parse(String path) {
      String[] parts = path.split("/");
      if (parts.length != 5 || !parts[0].isEmpty()) return Optional.empty();
      return Optional.of(new Target(parts[1], parts[2], parts[3], parts[4]));
    }
  }

  private static final class Routes extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final PodSync pods;

    Routes(PodSync pods) {
      this.pods = pods;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      LOG.debug("{} {}", request.method(), request.uri());
      if (uri.path().equals("/healthz")) {
        text(ctx, 200, "ok");
        return;
      }
      Optional<Target> target = Target.parse(uri.path());
      if (target.isEmpty() || !List.of("containerLogs", "exec", "attach").contains(target.get().kind())) {
        status(ctx, 404, "NotFound", "the node agent serves no " + uri.path());
        return;
      }
      Target t = target.get();
      if (!pods.knows(t.namespace(), t.pod())) {
        status(ctx, 404, "NotFound", "pod " + t.namespace() + "/" + t.pod() + " is not on this node");
        return;
      }
      Optional<PodSync.ContainerHandle> container = pods.container(t.namespace(), t.pod(), t.container());
      if (container.isEmpty()) {
        status(ctx, 404, "NotFound", "container " + t.container() + " is not valid for pod " + t.pod()
            + " (or has not been set up on this node yet)");
        return;
      }
      Map<String, List<String>> query = uri.parameters();
      try {
        switch (t.kind()) {
          case "containerLogs" -> ContainerLogStream.serve(ctx, pods, t, query);
          default -> ExecSession.serve(ctx, request, pods, t, container.get(), query);
        }
      } catch (RequestException e) {
        status(ctx, e.code, e.reason, e.getMessage());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("{}: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }

  /** A request refused with a Kubernetes Status. */
  static final class RequestException extends RuntimeException {
    final int code;
    final String reason;

    RequestException(int code, String reason, String message) {
      super(message, null, false, false);
      this.code = code;
      this.reason = reason;
    }

    static RequestException badRequest(String message) {
      return new RequestException(400, "BadRequest", message);
    }
  }

  static void text(ChannelHandlerContext ctx, int code, String body) {
    write(ctx, code, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  static void status(ChannelHandlerContext ctx, int code, String reason, String message) {
    ObjectNode status = JsonMapper.shared().createObjectNode();
    status.put("kind", "Status");
    status.put("apiVersion", "v1");
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    status.put("code", code);
    write(ctx, code, "application/json", JsonMapper.shared().writeValueAsBytes(status));
  }

  private static void write(ChannelHandlerContext ctx, int code, String type, byte[] body) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(code), Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    HttpUtil.setContentLength(response, body.length);
    HttpUtil.setKeepAlive(response, false);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
