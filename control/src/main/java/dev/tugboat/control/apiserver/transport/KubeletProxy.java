package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiRequest;
import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.apiserver.ResourceApi;
import dev.tugboat.control.apiserver.UserInfo;
import dev.tugboat.control.apiserver.auth.Authorizer;
import dev.tugboat.control.apiserver.kubelet.KubeletTarget;
import dev.tugboat.control.apiserver.pki.CertificateAndKey;
import dev.tugboat.control.apiserver.pki.CertificateAuthority;
import dev.tugboat.control.apiserver.resources.StatusError;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Serves pods/log, pods/exec and pods/attach by passing them to the node agent of the pod's node over HTTPS, as
 * kube-apiserver does: the API server presents a client certificate it issued itself from the cluster CA (kept in
 * memory), and accepts only a kubelet serving certificate from that CA for the node's address. Logs stream back as
 * the node agent sends them; exec and attach are WebSocket upgrades (v5.channel.k8s.io, v4.channel.k8s.io) relayed
 * byte for byte once the node agent has switched protocols. The backend connection runs on the client's event loop.
 */
final class KubeletProxy {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletProxy.class);
  /** Who the API server is to node agents, and to its own resource layer when it looks up pods and nodes. */
  static final String USER = "kube-apiserver-kubelet-client";
  static final UserInfo SELF = new UserInfo(USER, List.of(Authorizer.MASTERS_GROUP));
  private static final int CONNECT_TIMEOUT_MS = 5000;
  private static final List<CharSequence> UPGRADE_HEADERS = List.of(HttpHeaderNames.SEC_WEBSOCKET_KEY,
      HttpHeaderNames.SEC_WEBSOCKET_VERSION, HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);

  private final ResourceApi api;
  private final SslContext ssl;

  KubeletProxy(ResourceApi api, CertificateAuthority ca) {
    this.api = api;
    CertificateAndKey client = ca.issueClient(USER, List.of(Authorizer.MASTERS_GROUP));
    try {
      this.ssl = SslContextBuilder.forClient()
          .sslProvider(SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .keyManager(client.privateKey(), client.certificate())
          .trustManager(ca.certificate())
          .build();
    } catch (SSLException e) {
      throw new IllegalStateException("TLS context for node agents: " + e.getMessage(), e);
    }
  }

  /** What the proxy needs of the client's request, copied before the request is released. */
  record Call(ApiRequest request, boolean http1, boolean websocket, String upgrade, HttpHeaders upgradeHeaders) {
    static Call of(ApiRequest request, FullHttpRequest http, boolean http1) {
      HttpHeaders headers = http.headers();
      boolean websocket = headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
          && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
      HttpHeaders copied = new io.netty.handler.codec.http.DefaultHttpHeaders();
      for (CharSequence name : UPGRADE_HEADERS) {
        headers.getAll(name).forEach(value -> copied.add(name, value));
      }
      return new Call(request, http1, websocket, headers.get(HttpHeaderNames.UPGRADE), copied);
    }
  }

  void serve(ChannelHandlerContext ctx, Call call) {
    ApiRequest request = call.request();
    get("pods", request.namespace(), request.name()).thenCompose(pod -> {
      if (pod.status() != 200) {
        return CompletableFuture.completedFuture(new Resolved(null, pod));
      }
      JsonNode podObject = JsonMapper.shared().readTree(pod.body());
      String nodeName = KubeletTarget.nodeName(podObject, request.name());
      return get("nodes", null, nodeName).thenApply(node -> new Resolved(KubeletTarget.resolve(request, podObject,
          node.status() == 200 ? JsonMapper.shared().readTree(node.body()) : null), null));
    }).whenComplete((resolved, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
            ? error.getCause() : error;
        respond(ctx, call, cause instanceof StatusError status ? response(status)
            : StatusResponses.internalError(cause.toString()));
      } else if (resolved.failure() != null) {
        respond(ctx, call, resolved.failure());
      } else {
        connect(ctx, call, resolved.target());
      }
    }));
  }

  private record Resolved(KubeletTarget target, ApiResponse failure) {}

  private CompletableFuture<ApiResponse> get(String resource, String namespace, String name) {
    return api.handle(new ApiRequest("get", "", "v1", resource, null, namespace, name, Map.of(), null,
        StatusResponses.JSON, new byte[0], SELF));
  }

  private void connect(ChannelHandlerContext ctx, Call call, KubeletTarget target) {
    Channel client = ctx.channel();
    // An HTTP/2 stream's parent is its connection; an HTTP/1.1 connection's parent is the listener.
    Channel root = client instanceof io.netty.handler.codec.http2.Http2StreamChannel ? client.parent() : client;
    Class<? extends SocketChannel> type = root instanceof EpollSocketChannel ? EpollSocketChannel.class
        : NioSocketChannel.class;
    Backend backend = new Backend(ctx, call, target);
    new Bootstrap().group(client.eventLoop()).channel(type)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MS)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            SslHandler tls = ssl.newHandler(channel.alloc(), target.host(), target.port());
            SSLEngine engine = tls.engine();
            SSLParameters parameters = engine.getSSLParameters();
            // The kubelet's serving certificate must name the address the Node advertises.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            engine.setSSLParameters(parameters);
            if (call.websocket()) {
              // Relayed raw from the first byte: the node agent's 101 and the frames after it, as it sent them.
              channel.pipeline().addLast(tls);
            } else {
              channel.pipeline().addLast(tls, new HttpClientCodec(), backend);
            }
          }
        })
        .connect(target.host(), target.port())
        .addListener((ChannelFutureListener) connected -> {
          if (!connected.isSuccess()) {
            respond(ctx, call, unreachable(target, connected.cause()));
            return;
          }
          Channel channel = connected.channel();
          if (!call.request().subresource().equals("log") && !call.websocket()) {
            // Refused only now, with the node agent known to be there: kubectl falls back to SPDY after any failed
            // WebSocket upgrade, and a user should see why that failed (unreachable node agent) rather than this.
            channel.pipeline().remove(backend);
            channel.close();
            respond(ctx, call, spdyRefused(call));
            return;
          }
          client.closeFuture().addListener(closed -> channel.close());
          if (call.websocket()) {
            upgrade(ctx, call, target, channel);
            return;
          }
          DefaultFullHttpRequest forward = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
              target.path(), Unpooled.EMPTY_BUFFER);
          forward.headers().set(HttpHeaderNames.HOST, hostHeader(target));
          channel.writeAndFlush(forward);
        });
  }

  /**
   * A WebSocket upgrade: once TLS with the node agent is up, the client's connection drops its HTTP handlers and
   * both connections carry bytes untouched, the upgrade request written here first. The node agent answers the
   * upgrade itself (101, or a Status that ends the connection).
   */
  private static void upgrade(ChannelHandlerContext ctx, Call call, KubeletTarget target, Channel backend) {
    backend.pipeline().get(SslHandler.class).handshakeFuture().addListener(handshake -> {
      if (!handshake.isSuccess()) {
        backend.close();
        respond(ctx, call, unreachable(target, handshake.cause()));
        return;
      }
      Channel client = ctx.channel();
      var pipeline = client.pipeline();
      pipeline.addLast(new Relay(backend));
      List<String> names = new java.util.ArrayList<>(pipeline.names());
      java.util.Collections.reverse(names);
      for (String name : names) {
        ChannelHandler handler = pipeline.get(name);
        if (handler != null && !(handler instanceof SslHandler) && !(handler instanceof Relay)) {
          pipeline.remove(handler);
        }
      }
      backend.pipeline().addLast(new Relay(client));
      StringBuilder head = new StringBuilder("GET ").append(target.path()).append(" HTTP/1.1\r\n")
          .append("Host: ").append(hostHeader(target)).append("\r\n")
          .append("Connection: Upgrade\r\nUpgrade: websocket\r\n");
      call.upgradeHeaders().forEach(header -> head.append(header.getKey()).append(": ").append(header.getValue())
          .append("\r\n"));
      head.append("\r\n");
      backend.writeAndFlush(Unpooled.copiedBuffer(head, java.nio.charset.StandardCharsets.US_ASCII));
    });
  }

  private static ApiResponse spdyRefused(Call call) {
    String upgrade = call.upgrade();
    return StatusResponses.failure(400, "BadRequest", "pods/" + call.request().subresource()
        + " is served over WebSocket only (subprotocol v5.channel.k8s.io or v4.channel.k8s.io, HTTP/1.1); this "
        + "request asked to upgrade to " + (upgrade == null ? "nothing" : upgrade)
        + (upgrade != null && upgrade.toUpperCase().startsWith("SPDY")
        ? ", and SPDY is not supported: use kubectl 1.30 or later with KUBECTL_REMOTE_COMMAND_WEBSOCKETS on" : ""), null);
  }

  private static String hostHeader(KubeletTarget target) {
    String host = target.host().contains(":") ? "[" + target.host() + "]" : target.host();
    return host + ":" + target.port();
  }

  static ApiResponse unreachable(KubeletTarget target, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return StatusResponses.failure(502, "BadGateway", "error dialing backend: the node agent of node "
        + target.nodeName() + " at https://" + hostHeader(target) + " cannot be reached: " + root.getMessage(), null);
  }

  private static ApiResponse response(StatusError error) {
    return new ApiResponse(error.code(), StatusResponses.JSON, JsonMapper.shared().writeValueAsBytes(error.toStatus()));
  }

  private static void respond(ChannelHandlerContext ctx, Call call, ApiResponse answer) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), Unpooled.wrappedBuffer(answer.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    if (call.http1() && call.websocket()) {
      // A refused upgrade leaves the connection in no state to carry another request.
      HttpUtil.setKeepAlive(response, false);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }

  /** The backend connection's last handler for logs: the node agent's response, streamed to the client. */
  private static final class Backend extends ChannelInboundHandlerAdapter {
    private final ChannelHandlerContext client;
    private final Call call;
    private final KubeletTarget target;
    private boolean started;
    private boolean finished;

    Backend(ChannelHandlerContext client, Call call, KubeletTarget target) {
      this.client = client;
      this.call = call;
      this.target = target;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (finished) {
          return;
        }
        if (msg instanceof HttpResponse response) {
          start(response);
        }
        if (msg instanceof HttpContent content && content.content().isReadable()) {
          forward(ctx, new DefaultHttpContent(content.content().retain()));
        }
        if (msg instanceof LastHttpContent) {
          finish();
          ctx.close();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void start(HttpResponse from) {
      started = true;
      DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, from.status());
      String type = from.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (type != null) {
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      }
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
      if (call.http1()) {
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      client.writeAndFlush(response);
    }

    private void finish() {
      if (finished) {
        return;
      }
      finished = true;
      client.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private void forward(ChannelHandlerContext ctx, Object message) {
      Channel out = client.channel();
      out.writeAndFlush(message).addListener(written -> {
        if (!written.isSuccess()) {
          ctx.close();
        } else if (!ctx.channel().config().isAutoRead() && out.isWritable()) {
          ctx.channel().config().setAutoRead(true);
        }
      });
      if (!out.isWritable()) {
        // A slow reader (kubectl logs -f over a slow link) holds the node agent back instead of filling memory.
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!started) {
        respond(client, call, StatusResponses.failure(502, "BadGateway", "the node agent of node "
            + target.nodeName() + " at https://" + hostHeader(target) + " closed the connection before answering",
            null));
      } else {
        finish();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("node agent connection {}: {}", ctx.channel(), cause.toString());
      if (!started) {
        started = true;
        respond(client, call, unreachable(target, cause));
      }
      ctx.close();
    }
  }

  /** One side of an upgraded exchange: its bytes go to the other connection as they come. */
  private static final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel backend;

    Relay(Channel backend) {
      this.backend = backend;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf) {
        backend.writeAndFlush(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      // What was relayed reaches the other side before its connection ends.
      backend.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
