package dev.tugboat.runtime.kubelet;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.container.ExecProcess;
import dev.tugboat.runtime.container.Stdio;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /exec} and {@code /attach} over a WebSocket with Kubernetes' channel protocol (v5.channel.k8s.io, else
 * v4.channel.k8s.io): each binary message starts with its channel, 0 stdin, 1 stdout, 2 stderr, 3 the final Status
 * (JSON; a non-zero exit is reason NonZeroExitCode with the code as an ExitCode cause), 4 resize; v5 adds 255, close,
 * with which the client ends stdin. exec runs the command in the container with pipes for its stdio; attach streams
 * the container's output from now on until it exits (containers get no stdin, so attach takes none).
 */
final class ExecSession {

  static final String V5 = "v5.channel.k8s.io";
  static final String V4 = "v4.channel.k8s.io";
  private static final Logger LOG = LoggerFactory.getLogger(ExecSession.class);
  private static final byte STDIN = 0;
  private static final byte STDOUT = 1;
  private static final byte STDERR = 2;
  private static final byte ERROR = 3;
  private static final int CLOSE = 255;
  private static final long CLOSE_WAIT_SECONDS = 5;
  private static final long STATUS_AFTER_OUTPUT_MS = 50;

  private ExecSession() {}

  static void serve(ChannelHandlerContext ctx, FullHttpRequest request, PodSync pods, KubeletServer.Target target,
      PodSync.ContainerHandle container, Map<String, List<String>> query) {
    String requested = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, "");
    List<String> offered = new ArrayList<>();
    for (String p : requested.split(",")) offered.add(p.trim());
    if (!offered.contains(V5) && !offered.contains(V4)) {
      throw KubeletServer.RequestException.badRequest("/" + target.kind() + " is served over WebSocket with subprotocol "
          + V5 + " or " + V4 + "; the request offered " + (requested.isEmpty() ? "none" : requested));
    }
    boolean stdin = on(query, "input");
    boolean stdout = on(query, "output");
    boolean stderr = on(query, "error");
    if (on(query, "tty")) {
      throw KubeletServer.RequestException.badRequest("tty: this node agent runs exec and attach without a terminal;"
          + " leave out -t");
    }
    if (!container.running()) {
      throw KubeletServer.RequestException.badRequest("container " + target.container() + " is not running in pod "
          + target.pod());
    }
    boolean exec = target.kind().equals("exec");
    List<String> command = query.getOrDefault("command", List.of());
    if (exec && command.isEmpty()) {
      throw KubeletServer.RequestException.badRequest("command: Required value: you must specify a command");
    }
    if (!exec && stdin) {
      throw KubeletServer.RequestException.badRequest("container " + target.container() + " in pod " + target.pod()
          + " has no stdin to attach to (containers run with stdin from /dev/null)");
    }
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(
        "wss://" + request.headers().get(HttpHeaderNames.HOST) + request.uri(), V5 + "," + V4, false, 1 << 20)
        .newHandshaker(request);
    if (handshaker == null) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
      return;
    }
    Channel channel = ctx.channel();
    handshaker.handshake(channel, request).addListener(done -> {
      if (!done.isSuccess()) {
        channel.close();
        return;
      }
      boolean v5 = V5.equals(handshaker.selectedSubprotocol());
      ctx.pipeline().remove(ctx.handler());
      Frames frames = new Frames(handshaker);
      channel.pipeline().addLast(new WebSocketFrameAggregator(1 << 20), frames);
      if (exec) {
        runExec(channel, frames, pods, container, command, stdin, stdout, stderr, v5);
      } else {
        attach(channel, pods, target, container, stdout || stderr);
      }
    });
  }

  private static void runExec(Channel channel, Frames frames, PodSync pods, PodSync.ContainerHandle container,
      List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean v5) {
    List<Integer> ours = new ArrayList<>();
    List<Integer> childEnds = new ArrayList<>();
    try {
      int[] in = stdin ? Linux.pipe() : null;
      int[] out = stdout ? Linux.pipe() : null;
      int[] err = stderr ? Linux.pipe() : null;
      int devNullIn = Linux.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      int devNullOut = Linux.open("/dev/null", Linux.O_WRONLY | Linux.O_CLOEXEC, 0);
      childEnds.add(devNullIn);
      childEnds.add(devNullOut);
      if (in != null) {
        childEnds.add(in[0]);
        ours.add(in[1]);
      }
      if (out != null) {
        childEnds.add(out[1]);
        ours.add(out[0]);
      }
      if (err != null) {
        childEnds.add(err[1]);
        ours.add(err[0]);
      }
      ExecProcess process = pods.runtime().exec(container.runtimeId(), command,
          Stdio.fds(in != null ? in[0] : devNullIn, out != null ? out[1] : devNullOut, err != null ? err[1] : devNullOut));
      childEnds.forEach(Linux::closeQuietly);
      childEnds.clear();
      if (in != null) frames.stdin(in[1], v5);
      CompletableFuture<Void> outDone = out == null ? CompletableFuture.completedFuture(null) : pump(channel, out[0], STDOUT);
      CompletableFuture<Void> errDone = err == null ? CompletableFuture.completedFuture(null) : pump(channel, err[0], STDERR);
      CompletableFuture.allOf(outDone, errDone, process.exit()).whenComplete((ignored, error) -> {
        if (in != null) frames.closeStdin();
        Optional<WaitStatus> status = process.exit().getNow(Optional.empty());
        // kubectl stops copying output once the status has come: it comes a moment after the last output.
        channel.eventLoop().schedule(() -> finish(channel, status.map(WaitStatus::shellStatus).orElse(-1), command,
            error), STATUS_AFTER_OUTPUT_MS, TimeUnit.MILLISECONDS);
      });
    } catch (RuntimeException e) {
      childEnds.forEach(Linux::closeQuietly);
      ours.forEach(Linux::closeQuietly);
      LOG.debug("exec {} in {}: {}", command, container.runtimeId(), e.toString());
      sendStatus(channel, failure("InternalError", "exec " + command + " in container " + container.name() + ": "
          + e.getMessage(), -1));
    }
  }

  /** Reads one pipe on its own thread until EOF, each read a message on {@code stream}. */
  private static CompletableFuture<Void> pump(Channel channel, int fd, byte stream) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      byte[] buffer = new byte[32 * 1024];
      try {
        int n;
        while ((n = Linux.read(fd, buffer)) > 0) {
          ByteBuf frame = Unpooled.buffer(n + 1);
          frame.writeByte(stream);
          frame.writeBytes(buffer, 0, n);
          channel.writeAndFlush(new BinaryWebSocketFrame(frame));
        }
      } catch (RuntimeException e) {
        LOG.debug("read exec stream {}: {}", stream, e.toString());
      } finally {
        Linux.closeQuietly(fd);
        done.complete(null);
      }
    }, "tug-exec-" + (stream == STDOUT ? "stdout" : "stderr"));
    reader.setDaemon(true);
    reader.start();
    return done;
  }

  private static void finish(Channel channel, int exitCode, List<String> command, Throwable error) {
    if (error != null) {
      sendStatus(channel, failure("InternalError", String.valueOf(error.getMessage()), -1));
    } else if (exitCode == 0) {
      ObjectNode status = JsonMapper.shared().createObjectNode();
      status.putObject("metadata");
      status.put("status", "Success");
      sendStatus(channel, status);
    } else {
      sendStatus(channel, failure("NonZeroExitCode", "command terminated with non-zero exit code: error executing "
          + "command [" + String.join(" ", command) + "], exit code " + exitCode, exitCode));
    }
  }

  /** kubelet's Status for a failed exec; with an exit code, kubectl exits with it. */
  static ObjectNode failure(String reason, String message, int exitCode) {
    ObjectNode status = JsonMapper.shared().createObjectNode();
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", reason);
    if (exitCode >= 0) {
      ObjectNode cause = status.putObject("details").putArray("causes").addObject();
      cause.put("reason", "ExitCode");
      cause.put("message", Integer.toString(exitCode));
    }
    return status;
  }

  private static void sendStatus(Channel channel, ObjectNode status) {
    byte[] json = JsonMapper.shared().writeValueAsBytes(status);
    ByteBuf frame = Unpooled.buffer(json.length + 1);
    frame.writeByte(ERROR);
    frame.writeBytes(json);
    channel.writeAndFlush(new BinaryWebSocketFrame(frame));
    // The client answers the close; the connection ends on its answer (Frames), or after a while without one.
    // Closing at once could reset the connection with the client's answer unread, and a reset loses what the
    // client had received but not yet read: the last output, even the status.
    channel.writeAndFlush(new CloseWebSocketFrame(1000, null)).addListener(sent -> {
      Frames frames = channel.pipeline().get(Frames.class);
      if (frames != null) frames.closeSent = true;
      channel.eventLoop().schedule(() -> {
        channel.close();
      }, CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
    });
  }

  /** attach: the container's output from now on (one log file, so stdout), until the run ends. */
  private static void attach(Channel channel, PodSync pods, KubeletServer.Target target,
      PodSync.ContainerHandle container, boolean output) {
    Path file = container.logFile();
    long start;
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      start = in.length();
    } catch (IOException e) {
      start = 0;
    }
    long[] offset = {start};
    Runnable[] poll = new Runnable[1];
    poll[0] = () -> {
      if (!channel.isActive()) return;
      boolean running = !pods.ended(container.runtimeId());
      try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
        long length = in.length();
        while (output && offset[0] < length) {
          int n = (int) Math.min(32 * 1024, length - offset[0]);
          byte[] bytes = new byte[n + 1];
          bytes[0] = STDOUT;
          in.seek(offset[0]);
          in.readFully(bytes, 1, n);
          offset[0] += n;
          channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
        }
      } catch (IOException e) {
        running = false;
      }
      if (running) {
        channel.eventLoop().schedule(poll[0], 100, TimeUnit.MILLISECONDS);
      } else {
        ObjectNode status = JsonMapper.shared().createObjectNode();
        status.putObject("metadata");
        status.put("status", "Success");
        sendStatus(channel, status);
      }
    };
    channel.eventLoop().execute(poll[0]);
  }

  private static boolean on(Map<String, List<String>> query, String key) {
    List<String> values = query.get(key);
    return values != null && !values.isEmpty() && List.of("1", "true", "True", "TRUE", "t", "T").contains(values.get(0));
  }

  /**
   * Messages from the client: stdin (channel 0), resize (4, ignored without a terminal), v5's close of stdin. stdin
   * goes to the process through a writer thread of its own: a full pipe must not stall the event loop.
   */
  private static final class Frames extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final byte[] END = new byte[0];
    private final WebSocketServerHandshaker handshaker;
    private final java.util.concurrent.LinkedBlockingQueue<byte[]> input = new java.util.concurrent.LinkedBlockingQueue<>();
    private volatile boolean stdinOpen;
    volatile boolean closeSent;
    private boolean v5;

    Frames(WebSocketServerHandshaker handshaker) {
      this.handshaker = handshaker;
    }

    void stdin(int fd, boolean v5) {
      this.v5 = v5;
      this.stdinOpen = true;
      Thread writer = new Thread(() -> {
        try {
          for (byte[] bytes = input.take(); bytes != END; bytes = input.take()) {
            Linux.write(fd, bytes);
          }
        } catch (InterruptedException | RuntimeException e) {
          LOG.debug("exec stdin: {}", e.toString());
        } finally {
          stdinOpen = false;
          Linux.closeQuietly(fd);
        }
      }, "tug-exec-stdin");
      writer.setDaemon(true);
      writer.start();
    }

    /** Ends stdin once what came before is written (the process then reads EOF). */
    void closeStdin() {
      if (stdinOpen) input.add(END);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof CloseWebSocketFrame close) {
        closeStdin();
        if (closeSent) {
          ctx.close();
        } else {
          handshaker.close(ctx.channel(), close.retain());
        }
        return;
      }
      if (frame instanceof PingWebSocketFrame ping) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content().retain()));
        return;
      }
      ByteBuf content = frame.content();
      if (!(frame instanceof BinaryWebSocketFrame) || !content.isReadable()) return;
      int channel = content.readUnsignedByte();
      if (channel == STDIN) {
        byte[] bytes = new byte[content.readableBytes()];
        content.readBytes(bytes);
        if (stdinOpen && bytes.length > 0) input.add(bytes);
      } else if (channel == CLOSE && v5 && content.isReadable() && content.readUnsignedByte() == STDIN) {
        closeStdin();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closeStdin();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.debug("exec stream {}: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
