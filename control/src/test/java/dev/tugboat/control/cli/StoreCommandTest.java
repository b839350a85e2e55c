package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.store.etcd.Curl;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class StoreCommandTest {

  @TempDir
  Path dir;

  private static String stderrOf(String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new StoreCommand()).setErr(new PrintWriter(err));
    assertThat(cli.execute(args)).as("exit code").isEqualTo(2);
    return err.toString();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--listen-client-urls=ftp://127.0.0.1:2379 | --listen-client-urls: ftp://127.0.0.1:2379: the scheme must be http",
      "--listen-client-urls=https://127.0.0.1:2379 | --listen-client-urls: https://127.0.0.1:2379: TLS is not supported",
      "--listen-client-urls=http://example.com:2379 | --listen-client-urls: http://example.com:2379: listen URLs need an IP",
      "--listen-peer-urls=http://127.0.0.1 | --listen-peer-urls: http://127.0.0.1: needs a host and a port",
      "--advertise-client-urls=http://a b | --advertise-client-urls: 'http://a b' is not a URL",
      "--initial-cluster-state=maybe | --initial-cluster-state: 'maybe' must be new or existing",
      "--initial-cluster=other=http://127.0.0.1:2380 | --initial-cluster: 'other=http://127.0.0.1:2380' has no member named 'default'",
      "--initial-cluster=default=http://127.0.0.1:2390 | --initial-cluster: member 'default' has [http://127.0.0.1:2390] but --initial-advertise-peer-urls is",
      "--initial-cluster=default | --initial-cluster: 'default' must be NAME=URL",
      "--name=a/b | --name: 'a/b' must be letters",
      "--no-such-flag | Unknown option: '--no-such-flag'",
      "--listen-metrics-urls=https://127.0.0.1:2381 | --listen-metrics-urls: https://127.0.0.1:2381: TLS is not supported",
      "--listen-metrics-urls=http://example.com:2381 | --listen-metrics-urls: http://example.com:2381: listen URLs need an IP",
      "--listen-metrics-urls=127.0.0.1:2381 | --listen-metrics-urls: '127.0.0.1:2381' is not a URL",
      "--listen-metrics-urls=tcp://127.0.0.1:2381 | --listen-metrics-urls: tcp://127.0.0.1:2381: the scheme must be http",
      "--listen-metrics-urls=http://127.0.0.1 | --listen-metrics-urls: http://127.0.0.1: needs a host and a port",
      "--listen-metrics-urls=http://127.0.0.1:2381/metrics | --listen-metrics-urls: http://127.0.0.1:2381/metrics: must not have a path",
  })
  void aBadFlagIsRefusedNamingTheFlag(String arg, String message) {
    assertThat(stderrOf(arg)).contains(message);
  }

  @Test
  void severalMembersDescribeAReplicatedMemberThatDialsEveryPeer() {
    StoreCommand command = new StoreCommand();
    new CommandLine(command).parseArgs("--name=a", "--initial-advertise-peer-urls=http://127.0.0.1:2380",
        "--listen-peer-urls=http://127.0.0.1:2380", "--heartbeat-interval=50", "--election-timeout=500",
        "--initial-cluster=a=http://127.0.0.1:2380,b=http://127.0.0.1:2381,c=http://127.0.0.1:2382");
    var replicated = command.validated().replicated();
    assertThat(replicated.memberIds()).containsOnlyKeys("a", "b", "c");
    assertThat(replicated.raftNodeConfig().members()).hasSize(3)
        .containsValue(new InetSocketAddress("127.0.0.1", 2382));
    assertThat(replicated.raftNodeConfig().listenPeer()).isEqualTo(new InetSocketAddress("127.0.0.1", 2380));
    assertThat(replicated.raftNodeConfig().electionTicks()).isEqualTo(10);
  }

  @Test
  void anElectionTimeoutShorterThanTwoHeartbeatsIsRefused() {
    assertThat(stderrOf("--heartbeat-interval=100", "--election-timeout=150"))
        .contains("--election-timeout: must be at least twice --heartbeat-interval");
  }

  @Test
  void etcdsDefaultsDescribeOneLocalMember() {
    StoreCommand command = new StoreCommand();
    new CommandLine(command).parseArgs("--name=infra0");
    StoreCommand.StoreMember member = command.validated();
    assertThat(member.dataDir()).isEqualTo(Path.of("infra0.etcd"));
    assertThat(member.listenClientAddresses()).containsExactly(new InetSocketAddress("127.0.0.1", 2379));
    assertThat(member.initialCluster()).containsEntry("infra0", List.of("http://localhost:2380"));
  }

  @Test
  void aStartedStoreServesEtcdctlAndKeepsItsDataAcrossRestarts() throws Exception {
    int port = LoopbackPorts.next();
    String peer = "http://127.0.0.1:" + LoopbackPorts.next(); // a lone member listens for peers too: member add can follow
    String[] args = {"--name=solo", "--data-dir=" + dir.resolve("solo.etcd"),
        "--listen-client-urls=http://127.0.0.1:" + port, "--advertise-client-urls=http://127.0.0.1:" + port,
        "--initial-advertise-peer-urls=" + peer, "--listen-peer-urls=" + peer,
        "--initial-cluster=solo=" + peer, "--initial-cluster-token=test", "--initial-cluster-state=new"};
    try (StoreCommand.RunningStore running = start(args)) {
      assertThat(etcdctl(port, "put", "kept", "yes")).isEqualTo("OK");
      // the client URL is published through the log once the member runs
      String list = etcdctl(port, "member", "list");
      for (int i = 0; i < 100 && !list.contains("http://127.0.0.1:" + port); i++) {
        Thread.sleep(100);
        list = etcdctl(port, "member", "list");
      }
      assertThat(list).contains("solo, " + peer + ", http://127.0.0.1:" + port);
    }
    try (StoreCommand.RunningStore running = start(args)) {
      assertThat(etcdctl(port, "get", "kept", "--print-value-only")).isEqualTo("yes");
    }
  }

  @Test
  void aMemberOfThreeStartedAloneAnswersHealth503OnItsClientAndMetricsUrls() throws Exception {
    int port = LoopbackPorts.next();
    int metricsPort = LoopbackPorts.next();
    String peer = "http://127.0.0.1:" + LoopbackPorts.next();
    String[] args = {"--name=a", "--data-dir=" + dir.resolve("a.etcd"),
        "--listen-client-urls=http://127.0.0.1:" + port, "--advertise-client-urls=http://127.0.0.1:" + port,
        "--initial-advertise-peer-urls=" + peer, "--listen-peer-urls=" + peer,
        "--initial-cluster=a=" + peer + ",b=http://127.0.0.1:" + LoopbackPorts.next() + ",c=http://127.0.0.1:" + LoopbackPorts.next(),
        "--listen-metrics-urls=http://127.0.0.1:" + metricsPort};
    try (StoreCommand.RunningStore running = start(args)) {
      assertThat(running.metrics().addresses()).containsExactly(new InetSocketAddress("127.0.0.1", metricsPort));
      for (int p : new int[] {port, metricsPort}) {
        Curl.Response health = Curl.get("http://127.0.0.1:" + p + "/health");
        assertThat(health.status()).as("/health on port %d", p).isEqualTo(503);
        assertThat(health.body()).isEqualTo("{\"health\":\"false\"}\n");
        assertThat(Curl.get("http://127.0.0.1:" + p + "/metrics").body())
            .contains("\netcd_server_has_leader 0\n", "\nprocess_resident_memory_bytes ");
      }
      assertThat(Curl.get("http://127.0.0.1:" + metricsPort + "/version").status()).isEqualTo(404);
    }
  }

  private static StoreCommand.RunningStore start(String... args) {
    StoreCommand command = new StoreCommand();
    new CommandLine(command).parseArgs(args);
    return StoreCommand.start(command.validated());
  }

  private static String etcdctl(int port, String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("etcdctl", "--endpoints=127.0.0.1:" + port));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("ETCDCTL_API", "3");
    Process p = pb.start();
    try {
      String out = new String(p.getInputStream().readAllBytes()).strip();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(out).isZero();
      return out;
    } finally {
      p.destroyForcibly();
    }
  }
}
