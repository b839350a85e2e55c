package dev.tugboat.control.apiserver.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After the TLS handshake, builds the rest of a connection's pipeline for the protocol ALPN chose: HTTP/2 (each
 * stream a child channel speaking HTTP objects) or HTTP/1.1. Both end in the same aggregator and
 * {@link ApiHttpHandler}, so every request is served the same way whatever the protocol.
 */
final class ProtocolNegotiationHandler extends ApplicationProtocolNegotiationHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ProtocolNegotiationHandler.class);
  /** kube-apiserver lets one connection carry many watches; Go's HTTP/2 server default is 250 streams. */
  private static final int MAX_CONCURRENT_STREAMS = 1000;

  private final ApiDispatcher dispatcher;
  private final int maxRequestBytes;
  private final long maxPendingWatchBytes;

  ProtocolNegotiationHandler(ApiDispatcher dispatcher, int maxRequestBytes, long maxPendingWatchBytes) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.dispatcher = dispatcher;
    this.maxRequestBytes = maxRequestBytes;
    this.maxPendingWatchBytes = maxPendingWatchBytes;
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    X509Certificate clientCertificate = peerCertificate(ctx.pipeline().get(SslHandler.class));
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      // responses come from the resource layer's threads one by one: flushed together, they share TLS records and
      // system calls
      ctx.pipeline().addLast(
          new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true),
          Http2FrameCodecBuilder.forServer()
              .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
              .build(),
          new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
              stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                  new BoundedRequestAggregator(maxRequestBytes),
                  new ApiHttpHandler(dispatcher, clientCertificate, false, maxPendingWatchBytes));
            }
          }));
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      ctx.pipeline().addLast(new HttpServerCodec(), new BoundedRequestAggregator(maxRequestBytes),
          new ApiHttpHandler(dispatcher, clientCertificate, true, maxPendingWatchBytes));
    } else {
      throw new IllegalStateException("ALPN chose an unsupported protocol: " + protocol);
    }
  }

  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private static X509Certificate peerCertificate(SslHandler ssl) {
    try {
      Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? leaf : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
