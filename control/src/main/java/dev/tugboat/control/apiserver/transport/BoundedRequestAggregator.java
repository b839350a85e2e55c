package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.ApiResponse;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Collects a request body up to a limit (kube-apiserver's is 3 MiB) and answers a larger one with a Kubernetes
 * Status 413, both when the body arrives and when {@code Expect: 100-continue} announces it.
 */
final class BoundedRequestAggregator extends HttpObjectAggregator {

  static final int KUBERNETES_MAX_REQUEST_BYTES = 3 * 1024 * 1024;
  private final int limit;

  BoundedRequestAggregator(int limit) {
    super(limit);
    this.limit = limit;
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object response = super.newContinueResponse(start, maxContentLength, pipeline);
    if (response instanceof HttpResponse http && http.status().code() == 413) {
      return tooLarge();
    }
    return response;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    // The rest of the body may still be on its way: close after answering rather than parse it as a new request.
    ctx.writeAndFlush(tooLarge()).addListener(ChannelFutureListener.CLOSE);
  }

  private FullHttpResponse tooLarge() {
    ApiResponse status = StatusResponses.requestEntityTooLarge(limit);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(status.body()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, status.contentType());
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, status.body().length);
    return response;
  }
}
