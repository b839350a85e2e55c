package dev.tugboat.control.apiserver.transport;

import dev.tugboat.control.apiserver.WatchSink;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watch response on one channel (an HTTP/1.1 connection, an HTTP/2 stream's child channel, or a WebSocket):
 * response headers on the first event or on {@link #start()}, then one chunk, DATA frame or WebSocket text message
 * per event, each a line of JSON.
 *
 * <p>Flow control: bytes written but not yet taken by the client are counted; a client that falls more than
 * {@code maxPendingBytes} behind is cut off (its stream or connection closed), as kube-apiserver drops a watcher whose
 * buffer fills, and the client re-lists. Memory per watch stays bounded.
 */
final class ChannelWatchSink implements WatchSink {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelWatchSink.class);
  private static final byte NEWLINE = '\n';
  private static final byte[] NEWLINE_BYTES = {NEWLINE};

  private final Channel channel;
  /** How events are framed on the channel. */
  enum Framing { HTTP1_CHUNKED, HTTP2_DATA, WEBSOCKET }

  private final Framing framing;
  private final long maxPendingBytes;
  private final String description;
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Queue<Queued> queued = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private boolean headersSent;

  private record Queued(Object frame, int size) {}

  ChannelWatchSink(Channel channel, Framing framing, long maxPendingBytes, String description) {
    this.channel = channel;
    this.framing = framing;
    this.headersSent = framing == Framing.WEBSOCKET; // the 101 response was the header
    this.maxPendingBytes = maxPendingBytes;
    this.description = description;
    channel.closeFuture().addListener(f -> closed.set(true));
  }

  /** Sends the response headers if no event has yet: the watch is established. */
  void start() {
    // on the event loop, as every write of this sink, so the headers can never follow an event
    channel.eventLoop().execute(() -> {
      synchronized (this) {
        if (!headersSent && !closed.get()) {
          writeHeaders();
          channel.flush();
        }
      }
    });
  }

  private void writeHeaders() {
    headersSent = true;
    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, StatusResponses.JSON);
    response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache, private");
    if (framing == Framing.HTTP1_CHUNKED) {
      HttpUtil.setTransferEncodingChunked(response, true);
    }
    channel.write(response);
  }

  @Override
  public boolean send(byte[] watchEventJson) {
    if (closed.get()) {
      return false;
    }
    int length = watchEventJson.length;
    boolean endsWithNewline = framing == Framing.WEBSOCKET || length > 0 && watchEventJson[length - 1] == NEWLINE;
    int size = endsWithNewline ? length : length + 1;
    if (pendingBytes.addAndGet(size) > maxPendingBytes) {
      LOG.warn("{}: client is more than {} bytes behind; closing the watch", description, maxPendingBytes);
      cutOff();
      return false;
    }
    // the event's bytes may be shared with other watchers: wrapped, never copied or changed
    ByteBuf content = endsWithNewline ? Unpooled.wrappedBuffer(watchEventJson)
        : Unpooled.wrappedBuffer(watchEventJson, NEWLINE_BYTES);
    queued.add(new Queued(framing == Framing.WEBSOCKET ? new TextWebSocketFrame(content) : new DefaultHttpContent(content),
        size));
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
    return !closed.get();
  }

  /**
   * Writes every queued event and flushes once, on the channel's event loop: under load many events share one TLS
   * record and one system call, instead of one each, and the sending thread never waits for the channel.
   */
  private void drain() {
    drainScheduled.set(false);
    Queued next = queued.poll();
    if (next == null) {
      return;
    }
    synchronized (this) {
      if (!headersSent) {
        writeHeaders();
      }
    }
    long batchBytes = 0;
    ChannelFuture last = null;
    while (next != null) {
      batchBytes += next.size();
      last = channel.write(next.frame());
      next = queued.poll();
    }
    channel.flush();
    long written = batchBytes;
    // writes complete in order: when the batch's last one has, the client has taken the whole batch
    last.addListener(f -> {
      pendingBytes.addAndGet(-written);
      if (!f.isSuccess()) {
        closed.set(true);
      }
    });
  }

  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    // after what is queued: the close runs on the event loop, behind any drain already scheduled
    channel.eventLoop().execute(() -> {
      drain();
      finish();
    });
  }

  private synchronized void finish() {
    if (framing == Framing.WEBSOCKET) {
      channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    if (!headersSent) {
      writeHeaders(); // a watch that ends before its first event still answers 200 with an empty stream
    }
    channel.flush();
    channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
  }

  @Override
  public void onClientGone(Runnable action) {
    channel.closeFuture().addListener(f -> action.run());
  }

  private void cutOff() {
    closed.set(true);
    channel.close();
  }
}
