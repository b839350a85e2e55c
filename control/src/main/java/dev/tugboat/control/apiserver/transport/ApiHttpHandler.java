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
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a connection (HTTP/1.1) or of a stream (HTTP/2 child channel): one aggregated request in, one
 * response or a watch stream out. {@code clientCertificate} is the TLS peer's leaf certificate, null if none.
 */
final class ApiHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ApiHttpHandler.class);

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

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    HttpHeaders headers = request.headers();
    ApiDispatcher.HttpCall call = new ApiDispatcher.HttpCall(request.method().name(), request.uri(),
        headers.get(HttpHeaderNames.ACCEPT), headers.get(HttpHeaderNames.CONTENT_TYPE),
        headers.get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()), clientCertificate,
        serverAddress(ctx, headers));
    boolean keepAlive = !http1 || HttpUtil.isKeepAlive(request);
    boolean head = request.method().equals(HttpMethod.HEAD);
    String description = request.method().name() + " " + request.uri();

    ApiDispatcher.Routed routed;
    try {
      routed = dispatcher.route(call);
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
    } else if (routed instanceof ApiDispatcher.Routed.Watch watch) {
      ChannelWatchSink sink = new ChannelWatchSink(ctx.channel(), http1, maxPendingWatchBytes, description);
      CompletableFuture<ApiResponse> started;
      try {
        started = dispatcher.resourceApi().watch(watch.request(), sink);
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
      started.whenComplete((response, error) -> {
        if (error != null) {
          LOG.error("{}: {}", description, error.toString(), error);
          write(ctx, StatusResponses.internalError(error.toString()), keepAlive, head);
        } else if (response != null) {
          write(ctx, response, keepAlive, head);
        } else {
          sink.start();
        }
      });
    }
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
