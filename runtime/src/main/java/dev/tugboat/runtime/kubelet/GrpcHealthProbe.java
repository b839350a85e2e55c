package dev.tugboat.runtime.kubelet;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A grpc probe as kubelet runs it: one unary call of the standard health service, {@code grpc.health.v1.Health/Check},
 * over HTTP/2 without TLS, which passes only when the answer is SERVING (a server without the service, or one that
 * does not know the probe's service name, fails it). HTTP/2 is Netty's; the request and the answer are one-field
 * protobuf messages (HealthCheckRequest.service = 1, HealthCheckResponse.status = 1), small enough to write and read
 * here rather than carry grpc-java in the node agent.
 */
final class GrpcHealthProbe {

  private static final String METHOD = "/grpc.health.v1.Health/Check";
  private static final int SERVING = 1;

  private GrpcHealthProbe() {}

  /** One event-loop thread for every grpc probe of the node, started by the first. */
  private static final class Loop {
    static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("tug-grpc-probe", true), NioIoHandler.newFactory());
  }

  /**
   * Whether the server at {@code address} reports {@code service} SERVING within {@code timeoutSeconds};
   * {@code socket} is an unconnected socket of the pod's network namespace, closed when this returns.
   */
  static boolean check(java.nio.channels.SocketChannel socket, InetSocketAddress address, String service,
      int timeoutSeconds) throws InterruptedException {
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    Bootstrap bootstrap = new Bootstrap().group(Loop.GROUP).channelFactory(() -> new NioSocketChannel(socket))
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutSeconds * 1000)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel channel) {
            channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        });
    Channel connection = null;
    try {
      var connected = bootstrap.connect(address);
      connection = connected.channel();
      connected.addListener(c -> {
        if (!c.isSuccess()) {
          answer.complete(false);
          return;
        }
        new Http2StreamChannelBootstrap(connected.channel()).handler(new Answer(answer)).open().addListener(s -> {
          if (!s.isSuccess()) {
            answer.complete(false);
            return;
          }
          call((Http2StreamChannel) s.getNow(), address, service);
        });
      });
      return answer.get(timeoutSeconds, TimeUnit.SECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } finally {
      if (connection != null) connection.close();
    }
  }

  private static void call(Http2StreamChannel stream, InetSocketAddress address, String service) {
    Http2Headers headers = new DefaultHttp2Headers().method("POST").scheme("http").path(METHOD)
        .authority(address.getHostString() + ":" + address.getPort()).add("content-type", "application/grpc")
        .add("te", "trailers").add("user-agent", "kube-probe/1.32");
    stream.write(new DefaultHttp2HeadersFrame(headers));
    stream.writeAndFlush(new DefaultHttp2DataFrame(request(service), true));
  }

  /** A length-prefixed gRPC message holding HealthCheckRequest{service}; the empty name asks for the whole server. */
  static ByteBuf request(String service) {
    byte[] name = service.getBytes(StandardCharsets.UTF_8);
    ByteBuf message = Unpooled.buffer();
    if (name.length > 0) {
      message.writeByte(1 << 3 | 2); // field 1, length-delimited
      writeVarint(message, name.length);
      message.writeBytes(name);
    }
    ByteBuf framed = Unpooled.buffer(5 + message.readableBytes());
    framed.writeByte(0).writeInt(message.readableBytes()).writeBytes(message);
    message.release();
    return framed;
  }

  /** HealthCheckResponse.status from one length-prefixed gRPC message; 0 (UNKNOWN) when absent or unreadable. */
  static int status(ByteBuf framed) {
    if (framed.readableBytes() < 5 || framed.getByte(framed.readerIndex()) != 0) return 0;
    int length = framed.getInt(framed.readerIndex() + 1);
    if (length < 0 || framed.readableBytes() < 5 + length) return 0;
    ByteBuf message = framed.slice(framed.readerIndex() + 5, length);
    int status = 0;
    while (message.isReadable()) {
      long tag = readVarint(message);
      if (tag < 0) return 0;
      int field = (int) (tag >>> 3);
      int wireType = (int) (tag & 7);
      if (wireType == 0) {
        long value = readVarint(message);
        if (value < 0) return 0;
        if (field == 1) status = (int) value;
      } else if (wireType == 2) {
        long skip = readVarint(message);
        if (skip < 0 || skip > message.readableBytes()) return 0;
        message.skipBytes((int) skip);
      } else if (wireType == 5 && message.readableBytes() >= 4) {
        message.skipBytes(4);
      } else if (wireType == 1 && message.readableBytes() >= 8) {
        message.skipBytes(8);
      } else {
        return 0;
      }
    }
    return status;
  }

  private static void writeVarint(ByteBuf out, int value) {
    while ((value & ~0x7f) != 0) {
      out.writeByte(value & 0x7f | 0x80);
      value >>>= 7;
    }
    out.writeByte(value);
  }

  /** A varint, or -1 when the buffer ends inside one or it is longer than ten bytes. */
  private static long readVarint(ByteBuf in) {
    long value = 0;
    for (int shift = 0; shift < 70 && in.isReadable(); shift += 7) {
      byte b = in.readByte();
      value |= (long) (b & 0x7f) << shift;
      if ((b & 0x80) == 0) return value;
    }
    return -1;
  }

  /** Collects the answer: HTTP status 200, the message, then trailers with grpc-status 0. */
  private static final class Answer extends SimpleChannelInboundHandler<Http2StreamFrame> {
    private final CompletableFuture<Boolean> result;
    private final CompositeByteBuf body = Unpooled.compositeBuffer();

    Answer(CompletableFuture<Boolean> result) {
      this.result = result;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
      if (frame instanceof Http2HeadersFrame headers) {
        CharSequence httpStatus = headers.headers().status();
        if (httpStatus != null && !"200".contentEquals(httpStatus)) {
          result.complete(false);
          return;
        }
        CharSequence grpcStatus = headers.headers().get("grpc-status");
        if (grpcStatus != null) {
          // trailers, or a trailers-only answer: the call is over
          result.complete("0".contentEquals(grpcStatus) && status(body) == SERVING);
        } else if (headers.isEndStream()) {
          result.complete(false);
        }
      } else if (frame instanceof Http2DataFrame data) {
        body.addComponent(true, data.content().retain());
        if (data.isEndStream()) result.complete(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      result.complete(false);
      body.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      result.complete(false);
      ctx.close();
    }
  }
}
