package dev.tugboat.runtime.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc probes against grpc-java's own health service, in this process's network namespace (the prober joins the
 * namespace of the pid it is given): SERVING passes; NOT_SERVING, an unknown service name, a server that speaks no
 * gRPC and a closed port fail.
 */
class GrpcHealthProbeTest {

  private static final int OWN_PID = (int) ProcessHandle.current().pid();

  private Server grpc;
  private HttpServer http;
  private final HealthStatusManager health = new HealthStatusManager();

  @BeforeEach
  void serve() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "joining a network namespace needs root");
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus("db", ServingStatus.NOT_SERVING);
    health.setStatus("cache", ServingStatus.SERVING);
    grpc = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(health.getHealthService())
        .build().start();
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    http.start();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (grpc != null) grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (http != null) http.stop(0);
  }

  private static boolean check(int port, String service) {
    Probe probe = new ProbeBuilder().withNewGrpc().withPort(port).withService(service).endGrpc().withTimeoutSeconds(5)
        .build();
    return new Prober(null).check(probe, List.of(), "probed", OWN_PID);
  }

  @Test
  void servingPassesAndEverythingElseFails() {
    int port = grpc.getPort();
    assertThat(check(port, null)).as("the whole server").isTrue();
    assertThat(check(port, "cache")).isTrue();
    assertThat(check(port, "db")).as("NOT_SERVING").isFalse();
    assertThat(check(port, "nothing-by-this-name")).as("NOT_FOUND").isFalse();
    health.setStatus("cache", ServingStatus.NOT_SERVING);
    assertThat(check(port, "cache")).as("after the server changed its mind").isFalse();
  }

  @Test
  void aServerWithoutGrpcOrAClosedPortFails() throws Exception {
    assertThat(check(http.getAddress().getPort(), null)).as("HTTP/1.1 server").isFalse();
    int closed;
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    assertThat(check(closed, null)).isFalse();
  }

  @Test
  void theMessagesAreHealthChecksProtobuf() {
    ByteBuf request = GrpcHealthProbe.request("db");
    assertThat(io.netty.buffer.ByteBufUtil.hexDump(request)).isEqualTo("0000000004" + "0a02" + "6462");
    assertThat(io.netty.buffer.ByteBufUtil.hexDump(GrpcHealthProbe.request(""))).isEqualTo("0000000000");
    // HealthCheckResponse{status: SERVING}, after an unknown length-delimited field a newer server might add
    ByteBuf answer = Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 5, 0x12, 1, 'x', 0x08, 1});
    assertThat(GrpcHealthProbe.status(answer)).isEqualTo(1);
    assertThat(GrpcHealthProbe.status(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 0, 2, 0x08}))).as("truncated")
        .isZero();
  }
}
