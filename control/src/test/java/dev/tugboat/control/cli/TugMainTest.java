package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TugMainTest {

  @TempDir
  Path dataDir;

  @Test
  void helpListsServerAndUp() {
    StringWriter out = new StringWriter();
    CommandLine tug = TugMain.commandLine();
    tug.setOut(new PrintWriter(out));
    assertThat(tug.execute("--help")).isZero();
    assertThat(out.toString()).contains("server", "up");
  }

  @Test
  void serverFlagsAreKubeApiserversNames() {
    ServerCommand server = new ServerCommand();
    new CommandLine(server).parseArgs("--data-dir", dataDir.toString(), "--bind-address", "127.0.0.1",
        "--secure-port", "7443", "--token-auth-file", "/etc/tokens.csv");
    assertThat(server.server.dataDirOrDefault()).isEqualTo(dataDir);
    assertThat(server.server.securePort).isEqualTo(7443);
    assertThat(server.bindAddress).isEqualTo("127.0.0.1");
    assertThat(server.server.tokenAuthFile).isEqualTo(Path.of("/etc/tokens.csv"));
  }

  @Test
  void unreachableStoreEndpointsFailClearlyNamingTheEndpoint() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    var stderr = System.err;
    var captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true));
    try {
      int exit = TugMain.commandLine().execute("server", "--data-dir", dataDir.toString(),
          "--store-endpoints", "http://127.0.0.1:" + closedPort);
      assertThat(exit).isEqualTo(1);
    } finally {
      System.setErr(stderr);
    }
    assertThat(captured.toString())
        .contains("tug server: --store-endpoints http://127.0.0.1:" + closedPort + ": the store does not answer");
  }

  @Test
  void defaultDataDirIsVarLibTugboatForRootAndDotTugboatOtherwise() {
    Path expected = "root".equals(System.getProperty("user.name")) ? Path.of("/var/lib/tugboat") : Path.of(".tugboat");
    assertThat(new ServerOptions().dataDirOrDefault()).isEqualTo(expected);
  }
}
