package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiResponse;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.nio.charset.StandardCharsets;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection (HTTP/1.1) or of a stream (HTTP/2 child channel): one aggregated request in, one
 * response or a watch stream out. {@code clientCertificate} is the TLS peer's leaf certificate, null if none.
 */
final class ApiHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ApiHttpHandler.class);

  private static final String IMPERSONATE_USER = "Impersonate-User";
  private static final String IMPERSONATE_GROUP = "Impersonate-Group";

  private final ApiDispatcher dispatcher;
  private final X509Certificate clientCertificate;
  private final boolean http1;
  private final long maxPendingWatchBytes;

  ApiHttpHandler(ApiDispatcher dispatcher, X509Certificate clientCertificate, boolean http1, long maxPendingWatchBytes) {
    this.dispatcher = dispatcher;
    this.clientCertificate = clientCertificate;
    this.http1 = http1;
    this.maxPendingWatchBytes = maxPendingWatchBytes;
  }

  /**
   * Serves the request on the resource layer's threads, so that authentication, routing and the store's waits never
   * hold up the event loop, which carries every stream of an HTTP/2 connection. An upgrade (a WebSocket watch) stays
   * here: its handshake rebuilds this channel's pipeline.
   */
  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.headers().contains(HttpHeaderNames.UPGRADE)) {
      serve(ctx, request);
      return;
    }
    request.retain();
    try {
      dispatcher.resourceApi().requestExecutor().execute(() -> {
        try {
          serve(ctx, request);
        } finally {
          request.release();
        }
      });
    } catch (RejectedExecutionException e) {
      boolean head = request.method().equals(HttpMethod.HEAD);
      request.release();
      write(ctx, StatusResponses.failure(503, "ServiceUnavailable", "the API server is shutting down", null), false,
          head);
    }
  }

  private void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
    HttpHeaders headers = request.headers();
    ApiDispatcher.HttpCall call = new ApiDispatcher.HttpCall(request.method().name(), request.uri(),
        headers.get(HttpHeaderNames.ACCEPT), headers.get(HttpHeaderNames.CONTENT_TYPE),
        headers.get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()), clientCertificate,
        serverAddress(ctx, headers), headers.get(IMPERSONATE_USER), headers.getAll(IMPERSONATE_GROUP));
    boolean keepAlive = !http1 || HttpUtil.isKeepAlive(request);
    boolean head = request.method().equals(HttpMethod.HEAD);
    String description = request.method().name() + " " + request.uri();
    LOG.debug("{} over {} (upgrade: {})", description, http1 ? "HTTP/1.1" : "HTTP/2", headers.get(HttpHeaderNames.UPGRADE));

    ApiDispatcher.Routed routed;
    try {
      routed = dispatcher.route(call, ctx.executor());
    } catch (RuntimeException e) {
      LOG.error("{}: {}", description, e.toString(), e);
      write(ctx, StatusResponses.internalError(e.toString()), keepAlive, head);
      return;
    }
    if (routed instanceof ApiDispatcher.Routed.Answer answer) {
      answer.response().whenComplete((response, error) -> {
        if (error != null || response == null) {
          LOG.error("{}: {}", description, error, error);
          response = StatusResponses.internalError(error == null ? "no response" : String.valueOf(error));
        }
        write(ctx, response, keepAlive, head);
      });
    } else if (routed instanceof ApiDispatcher.Routed.Kubelet kubelet) {
      KubeletProxy proxy = dispatcher.kubeletProxy();
      if (proxy == null) {
        write(ctx, StatusResponses.failure(503, "ServiceUnavailable", "pods/" + kubelet.request().subresource()
            + " is served by node agents, which this API server has no credentials to reach", null), keepAlive, head);
      } else {
        proxy.serve(ctx, KubeletProxy.Call.of(kubelet.request(), request, http1));
      }
    } else if (routed instanceof ApiDispatcher.Routed.Watch watch) {
      if (http1 && isWebSocketUpgrade(headers)) {
        watchOverWebSocket(ctx, request, watch, description);
      } else {
        ChannelWatchSink sink = new ChannelWatchSink(ctx.channel(),
            http1 ? ChannelWatchSink.Framing.HTTP1_CHUNKED : ChannelWatchSink.Framing.HTTP2_DATA,
            maxPendingWatchBytes, description);
        startWatch(watch, sink, description).whenComplete((response, error) -> {
          if (error != null) {
            write(ctx, StatusResponses.internalError(error.toString()), keepAlive, head);
          } else if (response != null) {
            write(ctx, response, keepAlive, head);
          } else {
            sink.start();
          }
        });
      }
    }
  }

  /**
   * A watch over a WebSocket, as kube-apiserver serves it and the fabric8 client asks for it first: the upgrade,
   * then one text message per event. An error before the first event arrives as an ERROR event with the Status.
   */
  private void watchOverWebSocket(ChannelHandlerContext ctx, FullHttpRequest request, ApiDispatcher.Routed.Watch watch,
                                  String description) {
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        "wss://" + request.headers().get(HttpHeaderNames.HOST) + request.uri(), null, true).newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    handshaker.handshake(ctx.channel(), request).addListener(upgraded -> {
      if (!upgraded.isSuccess()) {
        ctx.close();
        return;
      }
      ctx.pipeline().addLast(new WebSocketWatchFrames());
      ChannelWatchSink sink = new ChannelWatchSink(ctx.channel(), ChannelWatchSink.Framing.WEBSOCKET,
          maxPendingWatchBytes, description);
      startWatch(watch, sink, description).whenComplete((response, error) -> {
        if (error != null || response != null) {
          ApiResponse status = error != null ? StatusResponses.internalError(error.toString()) : response;
          sink.send(("{\"type\":\"ERROR\",\"object\":" + new String(status.body(), StandardCharsets.UTF_8) + "}")
              .getBytes(StandardCharsets.UTF_8));
          sink.close();
        }
      });
    });
  }

  private CompletableFuture<ApiResponse> startWatch(ApiDispatcher.Routed.Watch watch, ChannelWatchSink sink,
                                                    String description) {
    CompletableFuture<ApiResponse> started;
    try {
      started = dispatcher.resourceApi().watch(watch.request(), sink);
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    return started.whenComplete((response, error) -> {
      if (error != null) {
        LOG.error("{}: {}", description, error.toString(), error);
      }
    });
  }

  private static boolean isWebSocketUpgrade(HttpHeaders headers) {
    return headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
        && headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
  }

  private void write(ChannelHandlerContext ctx, ApiResponse answer, boolean keepAlive, boolean head) {
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, answer.body().length);
    if (http1) {
      HttpUtil.setKeepAlive(response, keepAlive);
    }
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static String serverAddress(ChannelHandlerContext ctx, HttpHeaders headers) {
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null && !host.isEmpty()) {
      return host;
    }
    var channel = ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel();
    if (channel.localAddress() instanceof InetSocketAddress local) {
      return local.getAddress().getHostAddress() + ":" + local.getPort();
    }
    return "";
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("{}: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
