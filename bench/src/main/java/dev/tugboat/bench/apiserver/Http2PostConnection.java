package dev.tugboat.bench.apiserver;

import io.fabric8.kubernetes.client.Config;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One TLS connection speaking HTTP/2 to the API server on which pods are created, as client-go sends a create: the
 * kubeconfig's client certificate, a POST of the object's JSON on a stream of its own, the answer's status and body
 * read whole. Streams are written and read straight through the connection's HTTP/2 handler, keyed by stream id: a
 * child channel per stream ({@code Http2MultiplexHandler}, as {@link Http2ApiConnection} uses for watches) costs a
 * channel, a pipeline and its handlers and promises per request, which the bench's share of the 2 cores paid for.
 *
 * <p>{@link #post(String, byte[], Answered)} may be called from any thread; {@code answered} runs on the connection's
 * event loop, so a caller there can send its next request without a thread hop.
 */
final class Http2PostConnection implements AutoCloseable {
  private static final AsciiString POST = AsciiString.cached("POST");
  private static final AsciiString HTTPS = AsciiString.cached("https");
  private static final AsciiString JSON = AsciiString.cached("application/json");
  private final EventLoopGroup group;
  private final Channel connection;
  private final ChannelHandlerContext http2;
  private final Http2ConnectionHandler handler;
  private final AsciiString authority;
  /** The streams waiting for their answer, touched only on the event loop. */
  private final IntObjectMap<Pending> pending = new IntObjectHashMap<>();

  /** What became of one POST: its status and body, or the error that ended its stream. */
  interface Answered {
    void answered(int status, byte[] body, Throwable error);
  }

  private static final class Pending {
    final Answered answered;
    int status;
    byte[] body = new byte[0];

    Pending(Answered answered) {
      this.answered = answered;
    }
  }

  private Http2PostConnection(EventLoopGroup group, Channel connection, Http2ConnectionHandler handler,
                              String authority) {
    this.group = group;
    this.connection = connection;
    this.handler = handler;
    this.http2 = connection.pipeline().context(handler);
    this.authority = new AsciiString(authority);
    connection.closeFuture().addListener(closed -> {
      for (int stream : new ArrayList<>(pending.keySet())) {
        finish(stream, new IOException("connection to the API server closed before stream " + stream + " was answered"));
      }
    });
  }

  /** Connects with an event loop of its own to the kubeconfig's server; fails unless ALPN chose HTTP/2. */
  static Http2PostConnection connect(Config config) throws Exception {
    EventLoopGroup group = ClientTransport.eventLoops("creator", 1);
    try {
      Listener listener = new Listener();
      Http2ConnectionHandler handler = new Http2ConnectionHandlerBuilder().server(false).frameListener(listener)
          .build();
      Http2ApiConnection.Tls tls = Http2ApiConnection.connectTls(config, group, handler);
      Http2PostConnection connection = new Http2PostConnection(group, tls.channel(), handler, tls.authority());
      listener.connection = connection;
      return connection;
    } catch (Exception e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** POSTs {@code json} to {@code path} on a new stream; {@code answered} runs on the event loop. */
  void post(String path, byte[] json, Answered answered) {
    if (connection.eventLoop().inEventLoop()) {
      write(path, json, answered);
    } else {
      connection.eventLoop().execute(() -> write(path, json, answered));
    }
  }

  private void write(String path, byte[] json, Answered answered) {
    if (!connection.isActive()) {
      answered.answered(0, null, new IOException("connection closed before POST " + path));
      return;
    }
    int stream = handler.connection().local().incrementAndGetNextStreamId();
    Http2Headers headers = new DefaultHttp2Headers().method(POST).scheme(HTTPS).authority(authority).path(path)
        .set(HttpHeaderNames.CONTENT_TYPE, JSON)
        .set(HttpHeaderNames.ACCEPT, JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, json.length);
    pending.put(stream, new Pending(answered));
    handler.encoder().writeHeaders(http2, stream, headers, 0, false, http2.newPromise());
    handler.encoder().writeData(http2, stream, Unpooled.wrappedBuffer(json), 0, true, http2.newPromise())
        .addListener(written -> {
          if (!written.isSuccess()) {
            finish(stream, written.cause());
          }
        });
    // through the handler, not past it: its flush writes the data frames its flow controller holds
    handler.flush(http2);
  }

  private void finish(int stream, Throwable error) {
    Pending p = pending.remove(stream);
    if (p != null) {
      p.answered.answered(p.status, p.body, error);
    }
  }

  /** Reads answers frame by frame into the pending stream they belong to. */
  private static final class Listener extends Http2FrameAdapter {
    Http2PostConnection connection;

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding,
                              boolean endOfStream) {
      Pending p = connection.pending.get(streamId);
      if (p != null && headers.status() != null) {
        p.status = Integer.parseInt(headers.status().toString());
      }
      if (endOfStream) {
        connection.finish(streamId, null);
      }
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency,
                              short weight, boolean exclusive, int padding, boolean endOfStream) {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
      int processed = data.readableBytes() + padding;
      Pending p = connection.pending.get(streamId);
      if (p != null) {
        int had = p.body.length;
        p.body = Arrays.copyOf(p.body, had + data.readableBytes());
        data.readBytes(p.body, had, data.readableBytes());
      }
      if (endOfStream) {
        connection.finish(streamId, null);
      }
      return processed;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      connection.finish(streamId, new IOException("stream " + streamId + " reset by the server: "
          + Http2Error.valueOf(errorCode)));
    }
  }

  @Override
  public void close() {
    connection.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
