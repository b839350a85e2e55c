package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** process.terminal: the pty master reaches a console-socket receiver the way runc sends it. */
@ExtendWith(NoLeaks.class)
// A guard against a hang (tests read container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ContainerTerminalTest {
  @TempDir Path tmp;
  private ContainerRuntime runtime;

  @BeforeEach
  void setUp() {
    runtime = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
  }

  @AfterEach
  void tearDown() {
    for (ContainerState s : runtime.list()) runtime.delete(s.id(), true);
    runtime.close();
  }

  private Path terminalBundle(String... args) throws Exception {
    return TestBundles.bundle(tmp.resolve("b"), spec -> spec.withObject("process").put("terminal", true), args);
  }

  /** Reads the master until {@code expected} has appeared (the pty echoes input and turns \n into \r\n). */
  private static String readUntil(int master, String expected) {
    ByteArrayOutputStream seen = new ByteArrayOutputStream();
    byte[] buffer = new byte[1024];
    while (!seen.toString(StandardCharsets.UTF_8).contains(expected)) {
      int n = Linux.read(master, buffer);
      if (n <= 0) break;
      seen.write(buffer, 0, n);
    }
    return seen.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aTerminalProcessGetsAPtyWhoseMasterArrivesOverTheConsoleSocket() throws Exception {
    Path bundle = terminalBundle("sh");
    Path socketPath = tmp.resolve("console.sock");
    int listening = ConsoleSocket.listen(socketPath.toString());
    int console = ConsoleSocket.connect(socketPath.toString());
    int accepted = ConsoleSocket.accept(listening);
    CompletableFuture<ConsoleSocket.Received> received = CompletableFuture.supplyAsync(() -> ConsoleSocket.receive(accepted));
    try {
      runtime.create("rtcli-tty", bundle, CreateOptions.defaults().withConsoleSocket(console));
      Linux.close(console);
      ConsoleSocket.Received pty = received.join();
      assertThat(pty.name()).isEqualTo("/dev/pts/0");
      runtime.start("rtcli-tty");
      try {
        Linux.write(pty.master(), "tty; echo h$((1+1))i; exit 5\n".getBytes(StandardCharsets.UTF_8));
        String output = readUntil(pty.master(), "h2i\r\n");
        assertThat(output).contains("/dev/pts/0\r\n", "h2i\r\n");
        assertThat(runtime.awaitExit("rtcli-tty")).contains(WaitStatus.exited(5));
      } finally {
        Linux.close(pty.master());
      }
    } finally {
      Linux.closeQuietly(accepted);
      Linux.closeQuietly(listening);
    }
  }

  @Test
  void theTerminalIsTheControllingTtyOfANewSession() throws Exception {
    Path bundle = terminalBundle("sh", "-c",
        "test -t 0 -a -t 1 -a -t 2 && echo ttys; echo ctty > /dev/tty; echo session=$(cut -d' ' -f6 /proc/self/stat)");
    int[] pair = ConsoleSocket.pair();
    try {
      runtime.create("rtcli-ctty", bundle, CreateOptions.defaults().withConsoleSocket(pair[1]));
      Linux.close(pair[1]);
      int master = ConsoleSocket.receive(pair[0]).master();
      try {
        runtime.start("rtcli-ctty");
        String output = readUntil(master, "session=1\r\n");
        assertThat(runtime.awaitExit("rtcli-ctty")).contains(WaitStatus.exited(0));
        assertThat(output).isEqualTo("ttys\r\nctty\r\nsession=1\r\n");
      } finally {
        Linux.close(master);
      }
    } finally {
      Linux.closeQuietly(pair[0]);
    }
  }

  @Test
  void execWithATerminalGetsItsOwnPty() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rtcli-exec-tty", bundle, CreateOptions.defaults());
    runtime.start("rtcli-exec-tty");
    var base = runtime.containerSpec("rtcli-exec-tty").process();
    var process = new dev.tugboat.runtime.oci.Spec.Process(true, base.user(), List.of("sh", "-c", "tty; exit 3"),
        base.env(), base.cwd(), base.capabilities(), base.rlimits(), base.noNewPrivileges());
    int[] pair = ConsoleSocket.pair();
    try {
      ExecProcess exec = runtime.exec("rtcli-exec-tty", process, Stdio.discard(), pair[1]);
      Linux.close(pair[1]);
      int master = ConsoleSocket.receive(pair[0]).master();
      try {
        assertThat(readUntil(master, "\r\n")).isEqualTo("/dev/pts/0\r\n");
        assertThat(exec.await()).isEqualTo(WaitStatus.exited(3));
      } finally {
        Linux.close(master);
      }
    } finally {
      Linux.closeQuietly(pair[0]);
    }
  }

  @Test
  void aTerminalWithoutAConsoleSocketIsRefusedAsRuncRefusesIt() throws Exception {
    Path bundle = terminalBundle("sh");
    assertThatThrownBy(() -> runtime.create("rtcli-noconsole", bundle, CreateOptions.defaults()))
        .isInstanceOf(ContainerException.class)
        .hasMessage("container \"rtcli-noconsole\": process.terminal is true: cannot allocate tty without a console "
            + "socket (--console-socket)");
    assertThat(runtime.list()).isEmpty();
  }
}
