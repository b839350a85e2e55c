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
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.util.ArrayList;
import java.util.List;
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

  /** An event's bytes, held by this sink until drained; {@code payload} of them are the event, without a newline. */
  private record Queued(ByteBuf json, int payload, boolean endsWithNewline, int size) {}

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
    return send(Unpooled.wrappedBuffer(watchEventJson));
  }

  /** Takes {@code watchEventJson}'s reference: the watch cache's line, shared with every other watcher, is not copied. */
  @Override
  public boolean send(ByteBuf watchEventJson) {
    if (closed.get()) {
      watchEventJson.release();
      return false;
    }
    int length = watchEventJson.readableBytes();
    boolean newlineGiven = length > 0 && watchEventJson.getByte(watchEventJson.writerIndex() - 1) == NEWLINE;
    // a WebSocket message is the event alone, as before lines came with their newline
    int payload = framing == Framing.WEBSOCKET && newlineGiven ? length - 1 : length;
    boolean endsWithNewline = framing == Framing.WEBSOCKET || newlineGiven;
    int size = endsWithNewline ? payload : length + 1;
    if (pendingBytes.addAndGet(size) > maxPendingBytes) {
      LOG.warn("{}: client is more than {} bytes behind; closing the watch", description, maxPendingBytes);
      watchEventJson.release();
      cutOff();
      return false;
    }
    queued.add(new Queued(watchEventJson, payload, endsWithNewline, size));
    if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(this::drain);
    }
    return !closed.get();
  }

  /**
   * Writes every queued event as one buffer and flushes once, on the channel's event loop: under load many events
   * share one pass down the pipeline, one TLS record and one system call, instead of one each, and the sending
   * thread never waits for the channel. On a WebSocket each event stays its own text message. A lone event that is
   * already a line goes out as the cache's own bytes, uncopied (TLS reads a single direct buffer in place; given
   * several, its write queue would copy them into one anyway, so a batch is copied here, once).
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
    ByteBuf content;
    long batchBytes;
    Queued following = queued.poll();
    if (following == null && framing != Framing.WEBSOCKET && next.endsWithNewline() && next.json().isDirect()) {
      content = next.json();
      batchBytes = next.size();
    } else {
      List<Queued> parts = new ArrayList<>();
      parts.add(next);
      batchBytes = next.size();
      int frameBytes = framing == Framing.WEBSOCKET ? textFrameHeaderLength(next.payload()) : 0;
      for (Queued more = following; more != null; more = queued.poll()) {
        parts.add(more);
        batchBytes += more.size();
        frameBytes += framing == Framing.WEBSOCKET ? textFrameHeaderLength(more.payload()) : 0;
      }
      // One pooled direct buffer: TLS (BoringSSL) reads direct memory, and given the events as a composite it first
      // merged them into a fresh heap buffer, then copied that again, for every watcher's batch.
      content = channel.alloc().directBuffer((int) Math.min(Integer.MAX_VALUE, batchBytes + frameBytes));
      for (Queued part : parts) {
        ByteBuf json = part.json();
        if (framing == Framing.WEBSOCKET) {
          content.writeBytes(textFrameHeader(part.payload()));
        }
        // the event's bytes may be shared with other watchers: copied out, never changed
        content.writeBytes(json, json.readerIndex(), part.payload());
        if (!part.endsWithNewline()) {
          content.writeByte(NEWLINE);
        }
        json.release();
      }
    }
    // one chunk or DATA frame holds the whole batch; WebSocket frames are already framed, past the frame encoder
    ChannelFuture written = channel.write(framing == Framing.WEBSOCKET ? content : new DefaultHttpContent(content));
    channel.flush();
    long sent = batchBytes;
    written.addListener(f -> {
      pendingBytes.addAndGet(-sent);
      if (!f.isSuccess()) {
        closed.set(true);
      }
    });
  }

  private static int textFrameHeaderLength(int length) {
    return length < 126 ? 2 : length <= 0xFFFF ? 4 : 10;
  }

  /** RFC 6455 header of an unmasked, final text frame (a server never masks) carrying {@code length} bytes. */
  static byte[] textFrameHeader(int length) {
    if (length < 126) {
      return new byte[] {(byte) 0x81, (byte) length};
    }
    if (length <= 0xFFFF) {
      return new byte[] {(byte) 0x81, 126, (byte) (length >>> 8), (byte) length};
    }
    byte[] header = new byte[10];
    header[0] = (byte) 0x81;
    header[1] = 127;
    for (int i = 0; i < 8; i++) {
      header[9 - i] = (byte) ((long) length >>> (8 * i));
    }
    return header;
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
