package dev.tugboat.control.apiserver.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * The frames of a watch WebSocket other than its events: answers the client's pings, ends the watch when the client
 * closes, and says goodbye when the server stops.
 */
final class WebSocketWatchFrames extends SimpleChannelInboundHandler<WebSocketFrame> {

  /**
   * On a connection serving a watch WebSocket, a Close frame "1001 Going Away" (RFC 6455 7.4.1: a server going
   * down); null on any other connection. A connection dropped without one is, to a client, an abnormal closure
   * (1006): the fabric8 client over the JDK's HttpClient then echoes 1006, which the JDK refuses to send, and logs
   * that refusal as a warning with its stack trace at every API server restart.
   */
  static ChannelFuture goingAway(Channel connection) {
    if (connection.pipeline().get(WebSocketWatchFrames.class) == null) {
      return null;
    }
    return connection.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
        "API server stopping"));
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    if (frame instanceof PingWebSocketFrame ping) {
      ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
    } else if (frame instanceof CloseWebSocketFrame) {
      ctx.close();
    }
  }
}
