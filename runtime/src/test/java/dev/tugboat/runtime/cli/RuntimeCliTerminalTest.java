package dev.tugboat.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.Signals;
import dev.tugboat.nativebindings.Terminal;
import dev.tugboat.runtime.container.TestBundles;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Terminals through `tug runtime` as containerd (--console-socket) and a person at a shell (run, exec -t) use them. */
// A guard against a hang (tests read container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeCliTerminalTest {
  @TempDir Path tmp;
  private TugCli tug;

  @BeforeEach
  void setUp() {
    tug = new TugCli(tmp);
  }

  @AfterEach
  void removeLeftovers() throws Exception {
    tug.deleteAll();
  }

  private Path terminalBundle(String... args) throws Exception {
    return TestBundles.bundle(tmp.resolve("bundle"), spec -> spec.withObject("process").put("terminal", true), args);
  }

  @Test
  void createWithAConsoleSocketSendsThePtyMasterToIt() throws Exception {
    Path bundle = terminalBundle("sh");
    Path socket = tmp.resolve("console.sock");
    int listening = ConsoleSocket.listen(socket.toString());
    CompletableFuture<ConsoleSocket.Received> received = CompletableFuture.supplyAsync(() -> {
      int accepted = ConsoleSocket.accept(listening);
      try {
        return ConsoleSocket.receive(accepted);
      } finally {
        Linux.close(accepted);
      }
    });
    try {
      TugCli.Result created = tug.run("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(),
          "rtcli-console");
      assertThat(created.exitCode()).as(created.stderr()).isZero();
      ConsoleSocket.Received pty = received.join();
      assertThat(pty.name()).isEqualTo("/dev/pts/0");
      try {
        assertThat(tug.run("start", "rtcli-console").exitCode()).isZero();
        Linux.write(pty.master(), "echo hi; tty\n".getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[1024];
        while (!seen.toString(StandardCharsets.UTF_8).contains("/dev/pts/0\r\n")) {
          int n = Linux.read(pty.master(), buffer);
          if (n <= 0) break;
          seen.write(buffer, 0, n);
        }
        assertThat(seen.toString(StandardCharsets.UTF_8)).contains("\r\nhi\r\n", "\r\n/dev/pts/0\r\n");
      } finally {
        Linux.close(pty.master());
      }
      assertThat(tug.run("delete", "--force", "rtcli-console").exitCode()).isZero();
    } finally {
      Linux.close(listening);
    }
  }

  @Test
  void runWithATerminalAndNoConsoleSocketCopiesItsStdioThroughThePty() throws Exception {
    Path bundle = terminalBundle("sh");
    Path input = tmp.resolve("input");
    Files.writeString(input, "echo h$((1+1))i; tty; exit 3\n");
    TugCli.Result run = tug.runWithInput(input, "run", "--bundle", bundle.toString(), "rtcli-run-tty");
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    assertThat(run.stdout()).contains("\r\nh2i\r\n/dev/pts/0\r\n");
    assertThat(tug.run("list", "-q").stdout()).isEmpty();
  }

  @Test
  void execWithTtyRunsTheProcessOnItsOwnPty() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), "sleep", "100");
    assertThat(tug.run("run", "--detach", "--bundle", bundle.toString(), "rtcli-exec-tty").exitCode()).isZero();
    TugCli.Result exec = tug.run("exec", "-t", "rtcli-exec-tty", "sh", "-c", "tty; exit 4");
    assertThat(exec.exitCode()).as(exec.stderr()).isEqualTo(4);
    assertThat(exec.stdout()).isEqualTo("/dev/pts/0\r\n");
  }

  @Test
  void runDetachedWithATerminalNeedsAConsoleSocket() throws Exception {
    Path bundle = terminalBundle("sh");
    TugCli.Result run = tug.run("run", "--detach", "--bundle", bundle.toString(), "rtcli-detached-tty");
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.stderr()).isEqualTo("container \"rtcli-detached-tty\": process.terminal is true: cannot allocate "
        + "tty without a console socket (--console-socket)\n");
  }

  @Test
  void runWithATerminalGivesThePtyTheSizeOfItsOwnAndResizesItOnSigwinch() throws Exception {
    Path bundle = terminalBundle("sh", "-c",
        "trap 'stty size' WINCH; trap 'exit 3' TERM; stty size; while :; do sleep 0.05; done");
    Terminal.Pty outer = Terminal.openPty();
    try {
      Terminal.setWindowSize(outer.master(), new Terminal.WindowSize(30, 100));
      Path out = tmp.resolve("winch-out");
      Path err = tmp.resolve("winch-err");
      Process run = tug.start(Path.of(outer.slavePath()), out, err, "run", "--bundle", bundle.toString(), "rtcli-winch");
      awaitOutput(run, out, err, "30 100\r\n");
      Terminal.setWindowSize(outer.master(), new Terminal.WindowSize(40, 120));
      Linux.kill((int) run.pid(), Signals.parse("WINCH"));
      awaitOutput(run, out, err, "40 120\r\n");
      Linux.kill((int) run.pid(), Signals.parse("TERM"));
      assertThat(run.waitFor()).as(Files.readString(err)).isEqualTo(3);
      assertThat(Files.readString(out)).isEqualTo("30 100\r\n40 120\r\n");
    } finally {
      Linux.close(outer.master());
    }
    assertThat(tug.run("list", "-q").stdout()).isEmpty();
  }

  private static void awaitOutput(Process p, Path out, Path err, String text) throws Exception {
    while (!Files.readString(out).contains(text)) {
      assertThat(p.isAlive()).as("exited early: " + Files.readString(out) + Files.readString(err)).isTrue();
      Thread.onSpinWait();
    }
  }
}
