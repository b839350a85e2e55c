package dev.tugboat.control.store.etcd;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.grpc.netty.ProtocolNegotiationEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Serves gRPC and plain HTTP/1.1 on one client port, as etcd does with cmux. gRPC's server lets a protocol negotiator
 * put the first handler on each new connection; this one reads the connection's first bytes once. The HTTP/2 client
 * preface goes on to gRPC's own plaintext negotiation, bytes unchanged, and the reader leaves the pipeline: from then
 * on the connection is exactly what gRPC builds without this class, so no call pays for the choice. Anything else is
 * HTTP/1.x, served by {@link EtcdHttpHandler} (a request Netty cannot parse gets 400).
 */
final class ClientPortNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

  /** What every HTTP/2 client sends first (RFC 9113, 3.4). */
  static final byte[] HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final InternalProtocolNegotiator.ProtocolNegotiator grpc = InternalProtocolNegotiators.serverPlaintext();
  private final EtcdHttpEndpoints endpoints;

  ClientPortNegotiator(EtcdHttpEndpoints endpoints) {
    this.endpoints = endpoints;
  }

  @Override
  public AsciiString scheme() {
    return grpc.scheme();
  }

  @Override
  public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
    return new FirstBytes(grpc.newHandler(grpcHandler), endpoints);
  }

  @Override
  public void close() {
    grpc.close();
  }

  /** How the first bytes of a connection decide: gRPC, HTTP/1.x, or not yet known (a prefix of the preface). */
  enum Protocol { GRPC, HTTP1, UNDECIDED }

  /** Pure: the protocol of a connection whose first bytes are {@code first[0..length)}. */
  static Protocol decide(byte[] first, int length) {
    int n = Math.min(length, HTTP2_PREFACE.length);
    for (int i = 0; i < n; i++) {
      if (first[i] != HTTP2_PREFACE[i]) {
        return Protocol.HTTP1;
      }
    }
    return n == HTTP2_PREFACE.length ? Protocol.GRPC : Protocol.UNDECIDED;
  }

  /**
   * The first handler of a client connection. gRPC fires its negotiation event when the connection starts; it is
   * held here and passed on only if the connection turns out to be gRPC, whose negotiation then runs as usual.
   */
  private static final class FirstBytes extends ByteToMessageDecoder {
    private final ChannelHandler grpcNegotiation;
    private final EtcdHttpEndpoints endpoints;
    private ProtocolNegotiationEvent negotiation;

    FirstBytes(ChannelHandler grpcNegotiation, EtcdHttpEndpoints endpoints) {
      this.grpcNegotiation = grpcNegotiation;
      this.endpoints = endpoints;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
      if (event instanceof ProtocolNegotiationEvent pne) {
        negotiation = pne;
        return;
      }
      super.userEventTriggered(ctx, event);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      byte[] first = new byte[Math.min(in.readableBytes(), HTTP2_PREFACE.length)];
      in.getBytes(in.readerIndex(), first);
      switch (decide(first, first.length)) {
        case GRPC -> {
          ctx.pipeline().addAfter(ctx.name(), null, grpcNegotiation);
          if (negotiation != null) {
            ctx.fireUserEventTriggered(negotiation);
          }
          // ByteToMessageDecoder hands the bytes read so far to the next handler as it leaves
          ctx.pipeline().remove(this);
        }
        case HTTP1 -> {
          EtcdHttpHandler.install(ctx.pipeline(), ctx.name(), endpoints, EtcdHttpEndpoints.Listener.CLIENT);
          ctx.pipeline().remove(this);
        }
        case UNDECIDED -> {
          // wait for more bytes
        }
      }
    }
  }
}
