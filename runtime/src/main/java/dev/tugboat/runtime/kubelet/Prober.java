package dev.tugboat.runtime.kubelet;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ExecProcess;
import dev.tugboat.runtime.container.Stdio;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one check of a container's probe, as kubelet's prober does: exec runs the command in the container (success
 * is exit 0), tcpSocket connects, httpGet sends a GET (over TLS for scheme HTTPS, without verifying the certificate,
 * as kubelet does) and wants a status from 200 to 399, grpc asks the standard health service ({@link GrpcHealthProbe}). Sockets are opened inside
 * the pod's network namespace (a socket belongs to the namespace of the thread that creates it: this thread joins the
 * pod's, opens the socket, and joins its own again), so 127.0.0.1 is the pod's loopback. Each check is bounded by
 * the probe's timeoutSeconds.
 */
final class Prober {

  private static final Logger LOG = LoggerFactory.getLogger(Prober.class);

  private final ContainerRuntime runtime;

  Prober(ContainerRuntime runtime) {
    this.runtime = runtime;
  }

  /** Whether the check passed; {@code pid} is the container's first process (its namespaces are the pod's). */
  boolean check(Probe probe, List<io.fabric8.kubernetes.api.model.ContainerPort> ports, String runtimeId, int pid) {
    int timeoutSeconds = probe.getTimeoutSeconds() == null || probe.getTimeoutSeconds() < 1 ? 1
        : probe.getTimeoutSeconds();
    try {
      if (probe.getExec() != null) return exec(probe.getExec().getCommand(), runtimeId, timeoutSeconds);
      if (probe.getTcpSocket() != null) {
        int port = port(probe.getTcpSocket().getPort(), ports);
        try (SocketChannel channel = openIn(pid)) {
          channel.socket().connect(new InetSocketAddress(host(probe.getTcpSocket().getHost()), port),
              timeoutSeconds * 1000);
          return true;
        }
      }
      if (probe.getHttpGet() != null) {
        boolean https = "HTTPS".equalsIgnoreCase(probe.getHttpGet().getScheme());
        int port = port(probe.getHttpGet().getPort(), ports);
        String path = probe.getHttpGet().getPath() == null || probe.getHttpGet().getPath().isEmpty() ? "/"
            : probe.getHttpGet().getPath();
        String host = host(probe.getHttpGet().getHost());
        try (SocketChannel channel = openIn(pid)) {
          Socket plain = channel.socket();
          plain.connect(new InetSocketAddress(host, port), timeoutSeconds * 1000);
          plain.setSoTimeout(timeoutSeconds * 1000);
          Socket socket = https ? UnverifiedTls.wrap(plain, host, port) : plain;
          StringBuilder request = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
              + "\r\nUser-Agent: kube-probe/1.32\r\nAccept: */*\r\nConnection: close\r\n");
          if (probe.getHttpGet().getHttpHeaders() != null) {
            probe.getHttpGet().getHttpHeaders().forEach(h -> request.append(h.getName()).append(": ")
                .append(h.getValue()).append("\r\n"));
          }
          OutputStream out = socket.getOutputStream();
          out.write(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          String status = statusLine(socket.getInputStream());
          String[] parts = status.split(" ");
          int code = parts.length > 1 && parts[1].matches("\\d{3}") ? Integer.parseInt(parts[1]) : 0;
          return code >= 200 && code < 400;
        }
      }
      if (probe.getGrpc() != null && probe.getGrpc().getPort() != null) {
        String service = probe.getGrpc().getService() == null ? "" : probe.getGrpc().getService();
        return GrpcHealthProbe.check(openIn(pid), new InetSocketAddress("127.0.0.1", probe.getGrpc().getPort()),
            service, timeoutSeconds);
      }
      return false;
    } catch (IOException | RuntimeException e) {
      LOG.debug("container {}: probe failed: {}", runtimeId, e.toString());
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean exec(List<String> command, String runtimeId, int timeoutSeconds) {
    if (command == null || command.isEmpty()) return false;
    ExecProcess process = runtime.exec(runtimeId, command, Stdio.discard());
    try {
      Optional<dev.tugboat.nativebindings.WaitStatus> status = process.exit().get(timeoutSeconds, TimeUnit.SECONDS);
      return status.map(s -> s.signal() == 0 && s.exitCode() == 0).orElse(false);
    } catch (TimeoutException e) {
      try {
        Linux.kill(process.pid(), Linux.SIGKILL);
      } catch (RuntimeException gone) {
        // ended meanwhile
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** A socket in the network namespace of process {@code pid}, made on this thread, which then returns to its own. */
  private static SocketChannel openIn(int pid) throws IOException {
    int own = Linux.open("/proc/thread-self/ns/net", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
    try {
      int target = Linux.open("/proc/" + pid + "/ns/net", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      try {
        Linux.setns(target, Linux.CLONE_NEWNET, "/proc/" + pid + "/ns/net");
        try {
          return SocketChannel.open();
        } finally {
          Linux.setns(own, Linux.CLONE_NEWNET, "the node agent's network namespace");
        }
      } finally {
        Linux.closeQuietly(target);
      }
    } finally {
      Linux.closeQuietly(own);
    }
  }

  private static String host(String host) {
    return host == null || host.isEmpty() ? "127.0.0.1" : host;
  }

  /** A port number, or a named container port. */
  static int port(IntOrString port, List<io.fabric8.kubernetes.api.model.ContainerPort> ports) {
    if (port == null) throw new IllegalArgumentException("probe names no port");
    if (port.getIntVal() != null) return port.getIntVal();
    if (ports != null) {
      for (var p : ports) {
        if (port.getStrVal().equals(p.getName())) return p.getContainerPort();
      }
    }
    if (port.getStrVal().matches("\\d+")) return Integer.parseInt(port.getStrVal());
    throw new IllegalArgumentException("probe port " + port.getStrVal() + " names no container port");
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int b; (b = in.read()) != -1 && b != '\n' && line.length() < 1024; ) {
      if (b != '\r') line.append((char) b);
    }
    return line.toString();
  }
}
