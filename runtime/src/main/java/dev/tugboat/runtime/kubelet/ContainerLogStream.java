package dev.tugboat.runtime.kubelet;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /containerLogs/NS/POD/CONTAINER}: a container's output as the process wrote it (stdout and stderr in one
 * file per run), with kubelet's {@code tailLines}, {@code limitBytes}, {@code previous} and {@code follow} (until
 * the run ends). The output is written straight to the file with no shim in between, so there is no per-line
 * timestamp to give: {@code timestamps=true} and {@code sinceSeconds}/{@code sinceTime} are refused, naming why.
 */
final class ContainerLogStream {

  private static final int CHUNK = 32 * 1024;
  private static final long FOLLOW_POLL_MS = 100;

  private final ChannelHandlerContext ctx;
  private final PodSync pods;
  private final KubeletServer.Target target;
  private final Path file;
  private final String runtimeId;
  private final boolean follow;
  private long offset;
  private long remaining;

  private ContainerLogStream(ChannelHandlerContext ctx, PodSync pods, KubeletServer.Target target, Path file,
      String runtimeId, boolean follow, long offset, long limit) {
    this.ctx = ctx;
    this.pods = pods;
    this.target = target;
    this.file = file;
    this.runtimeId = runtimeId;
    this.follow = follow;
    this.offset = offset;
    this.remaining = limit;
  }

  static void serve(ChannelHandlerContext ctx, PodSync pods, KubeletServer.Target target,
      Map<String, List<String>> query) {
    if (isTrue(first(query, "timestamps"))) {
      throw KubeletServer.RequestException.badRequest("timestamps: this node agent records no per-line timestamps "
          + "(containers write straight to their log file)");
    }
    if (first(query, "sinceSeconds") != null || first(query, "sinceTime") != null) {
      throw KubeletServer.RequestException.badRequest("sinceSeconds/sinceTime: this node agent records no per-line "
          + "timestamps to select lines by");
    }
    long tailLines = number(query, "tailLines");
    long limitBytes = number(query, "limitBytes");
    boolean previous = isTrue(first(query, "previous"));
    PodSync.ContainerHandle container = pods.container(target.namespace(), target.pod(), target.container()).get();
    Path file = previous ? container.previousLogFile() : container.logFile();
    if (file == null) {
      throw KubeletServer.RequestException.badRequest(previous
          ? "previous terminated container \"" + target.container() + "\" in pod \"" + target.pod() + "\" not found"
          : "container \"" + target.container() + "\" in pod \"" + target.pod() + "\" is waiting to start");
    }
    long start;
    long end;
    try {
      // Without follow, the log as it is now: lines written while it is sent are not part of it.
      end = java.nio.file.Files.size(file);
      start = tailLines < 0 ? 0 : tailStart(file, tailLines);
    } catch (IOException e) {
      throw new KubeletServer.RequestException(500, "InternalError", "read log " + file + ": " + e.getMessage());
    }
    DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    HttpUtil.setTransferEncodingChunked(response, true);
    HttpUtil.setKeepAlive(response, false);
    ctx.writeAndFlush(response);
    boolean follow = follow(query, previous);
    long limit = limitBytes < 0 ? Long.MAX_VALUE : limitBytes;
    if (!follow) limit = Math.min(limit, Math.max(0, end - start));
    new ContainerLogStream(ctx, pods, target, file, container.runtimeId(), follow, start, limit).pump();
  }

  private static boolean follow(Map<String, List<String>> query, boolean previous) {
    return !previous && isTrue(first(query, "follow"));
  }

  /** Sends what the file holds past the offset; following, looks again shortly while the run goes on. */
  private void pump() {
    if (!ctx.channel().isActive()) return;
    boolean ended = !follow || !stillRunning();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      while (offset < length && remaining > 0) {
        int n = (int) Math.min(Math.min(CHUNK, length - offset), remaining);
        byte[] bytes = new byte[n];
        in.seek(offset);
        in.readFully(bytes);
        offset += n;
        remaining -= n;
        ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(bytes)));
      }
      ctx.flush();
    } catch (IOException e) {
      ended = true;
    }
    if (ended || remaining <= 0) {
      ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.executor().schedule(this::pump, FOLLOW_POLL_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** Whether the run this stream reads is still going (checked before the read, so its last bytes are sent). */
  private boolean stillRunning() {
    Optional<PodSync.ContainerHandle> now = pods.container(target.namespace(), target.pod(), target.container());
    if (now.isEmpty() || runtimeId == null || !runtimeId.equals(now.get().runtimeId())) return false;
    return !pods.ended(runtimeId);
  }

  /** The offset where the last {@code lines} lines of the file begin (a last line without newline counts). */
  static long tailStart(Path file, long lines) throws IOException {
    if (lines == 0) {
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        return in.length();
      }
    }
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long end = in.length();
      if (end == 0) return 0;
      in.seek(end - 1);
      long position = end;
      long newlines = in.read() == '\n' ? -1 : 0;
      byte[] buffer = new byte[8192];
      while (position > 0) {
        int n = (int) Math.min(buffer.length, position);
        position -= n;
        in.seek(position);
        in.readFully(buffer, 0, n);
        for (int i = n - 1; i >= 0; i--) {
          if (buffer[i] == '\n' && ++newlines == lines) return position + i + 1;
        }
      }
      return 0;
    }
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> values = query.get(key);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static boolean isTrue(String value) {
    return value != null && List.of("1", "t", "T", "true", "TRUE", "True").contains(value);
  }

  private static long number(Map<String, List<String>> query, String key) {
    String value = first(query, key);
    if (value == null || value.isEmpty()) return -1;
    try {
      long n = Long.parseLong(value);
      if (n < 0) throw KubeletServer.RequestException.badRequest(key + ": must be 0 or more, not " + value);
      return n;
    } catch (NumberFormatException e) {
      throw KubeletServer.RequestException.badRequest(key + ": not a number: " + value);
    }
  }
}
