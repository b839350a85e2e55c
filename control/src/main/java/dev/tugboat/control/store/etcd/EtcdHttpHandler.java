package dev.tugboat.control.store.etcd;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Serves {@link EtcdHttpEndpoints} and the JSON gateway ({@link EtcdJsonGateway}) on one HTTP/1.1 connection: a client
 * port connection that {@link ClientPortNegotiator} found to speak plain HTTP, or a metrics listener's. Answers go out
 * in request order even when one waits (a pipelined {@code /health} ahead of a {@code /version}); a request Netty
 * cannot parse gets 400 and the connection is closed, as Go's server does.
 */
final class EtcdHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  /**
   * The gateway's largest body: a put of etcd's largest request (1.5 MiB) in base64 inside JSON; anything larger is
   * refused (413) before it is read whole.
   */
  private static final int MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;

  private final EtcdHttpEndpoints endpoints;
  private final EtcdHttpEndpoints.Listener listener;
  /** Completes once the previous request's answer is written; touched on the channel's event loop only. */
  private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

  EtcdHttpHandler(EtcdHttpEndpoints endpoints, EtcdHttpEndpoints.Listener listener) {
    this.endpoints = endpoints;
    this.listener = listener;
  }

  /** Adds the HTTP/1.1 codec and this handler to a pipeline, after the handler named {@code after} (or last). */
  static void install(ChannelPipeline pipeline, String after, EtcdHttpEndpoints endpoints,
                      EtcdHttpEndpoints.Listener listener) {
    EtcdHttpHandler handler = new EtcdHttpHandler(endpoints, listener);
    HttpServerCodec codec = new HttpServerCodec();
    HttpObjectAggregator aggregator = new HttpObjectAggregator(MAX_REQUEST_BODY_BYTES);
    if (after == null) {
      pipeline.addLast(codec, aggregator, handler);
    } else {
      pipeline.addAfter(after, null, codec).addAfter(pipeline.context(codec).name(), null, aggregator)
          .addAfter(pipeline.context(aggregator).name(), null, handler);
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      badRequest(ctx);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    boolean head = request.method().equals(HttpMethod.HEAD);
    String path = new QueryStringDecoder(request.uri()).path();
    EtcdJsonGateway gateway = endpoints.gatewayFor(listener, path);
    if (gateway != null) {
      viaGateway(ctx, gateway, request.method().name(), path, ByteBufUtil.getBytes(request.content()), keepAlive);
      return;
    }
    CompletableFuture<EtcdHttpEndpoints.Answer> answer;
    try {
      answer = endpoints.answer(listener, request.method().name(), path);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    answer = answer.exceptionally(EtcdHttpHandler::internalError);
    // every write is a task on the event loop, queued in request order behind the previous answer's write
    previous = previous.thenCombineAsync(answer, (done, a) -> {
      write(ctx, a, keepAlive, head);
      return null;
    }, ctx.executor());
  }

  /**
   * A gateway call starts once the answers to earlier requests on this connection are written, and the next request's
   * answer waits for its end (a watch holds the connection until the client leaves, as with etcd).
   */
  private void viaGateway(ChannelHandlerContext ctx, EtcdJsonGateway gateway, String method, String path, byte[] body,
                          boolean keepAlive) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    CompletableFuture<Void> before = previous;
    previous = done;
    before.thenRunAsync(() -> {
      if (!ctx.channel().isActive()) {
        done.complete(null);
        return;
      }
      Runnable cancel = gateway.serve(method, path, body, new GatewayResponder(ctx, keepAlive, done));
      // a client gone mid-call ends it; the listener goes with the call, not with a long kept-alive connection
      ChannelFutureListener onClose = closed -> cancel.run();
      ctx.channel().closeFuture().addListener(onClose);
      done.whenComplete((ended, failure) -> ctx.channel().closeFuture().removeListener(onClose));
    }, ctx.executor());
  }

  /** Writes a gateway call's answer on the connection's event loop, in the order the call produced it. */
  private record GatewayResponder(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<Void> done)
      implements EtcdJsonGateway.Responder {

    @Override
    public void whole(int status, String json) {
      ctx.executor().execute(() -> {
        write(ctx, new EtcdHttpEndpoints.Answer(status, "application/json", json, Map.of()), keepAlive, false);
        done.complete(null);
      });
    }

    @Override
    public void streamStart() {
      ctx.executor().execute(() -> {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpUtil.setTransferEncodingChunked(response, true);
        ctx.writeAndFlush(response);
      });
    }

    @Override
    public void line(String json) {
      ctx.executor().execute(() -> ctx.writeAndFlush(
          new DefaultHttpContent(Unpooled.wrappedBuffer((json + "\n").getBytes(StandardCharsets.UTF_8)))));
    }

    @Override
    public void end() {
      ctx.executor().execute(() -> {
        var written = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!keepAlive) {
          written.addListener(ChannelFutureListener.CLOSE);
        }
        done.complete(null);
      });
    }
  }

  private static EtcdHttpEndpoints.Answer internalError(Throwable e) {
    return new EtcdHttpEndpoints.Answer(500, "text/plain; charset=utf-8", "etcd HTTP endpoint failed: " + e + "\n",
        Map.of());
  }

  private static void write(ChannelHandlerContext ctx, EtcdHttpEndpoints.Answer answer, boolean keepAlive,
                            boolean head) {
    if (!ctx.channel().isActive()) {
      return;
    }
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(answer.status()), head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, answer.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    answer.headers().forEach(response.headers()::set);
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(response);
    }
  }

  private static void badRequest(ChannelHandlerContext ctx) {
    byte[] body = "400 Bad Request".getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // a reset by the client, or a failure of ours already answered: nothing more to say on this connection
    ctx.close();
  }
}
