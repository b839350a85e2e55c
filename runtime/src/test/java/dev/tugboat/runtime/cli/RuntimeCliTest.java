package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.TestBundles;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `tug runtime` driven the way containerd drives runc: every command a separate JVM over the same --root. */
// A guard against a hang (tests wait for container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeCliTest {
  @TempDir Path tmp;

  record Result(int exitCode, String stdout, String stderr, Path stdoutFile) {}

  private Result tug(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), RuntimeMain.class.getName(), "runtime",
        "--root", tmp.resolve("root").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    int code = p.waitFor();
    return new Result(code, Files.readString(out), Files.readString(err), out);
  }

  @AfterEach
  void removeLeftovers() throws Exception {
    for (String id : tug("list", "-q").stdout().split("\n")) {
      if (!id.isBlank()) tug("delete", "--force", id);
    }
  }

  @Test
  void createStartStateKillDeleteWorkAcrossSeparateJvms() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), "sleep", "100");
    Path pidFile = tmp.resolve("pid");
    Result created = tug("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "cli-life");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    String pid = Files.readString(pidFile);
    Result state = tug("state", "cli-life");
    assertThat(state.stdout()).contains("\"status\" : \"created\"", "\"pid\" : " + pid, "\"bundle\" : \"" + bundle + "\"");
    assertThat(tug("start", "cli-life").exitCode()).isZero();
    assertThat(tug("state", "cli-life").stdout()).contains("\"status\" : \"running\"");
    assertThat(tug("ps", "--format", "json", "cli-life").stdout().trim()).isEqualTo("[" + pid + "]");
    assertThat(tug("list").stdout()).contains("cli-life").contains("running");
    Result exec = tug("exec", "cli-life", "sh", "-c", "hostname; exit 4");
    assertThat(exec.exitCode()).isEqualTo(4);
    assertThat(exec.stdout()).isEqualTo("runc\n");
    assertThat(tug("kill", "cli-life", "KILL").exitCode()).isZero();
    while (!tug("state", "cli-life").stdout().contains("\"status\" : \"stopped\"")) Thread.onSpinWait();
    assertThat(tug("delete", "cli-life").exitCode()).isZero();
    Result gone = tug("state", "cli-life");
    assertThat(gone.exitCode()).isEqualTo(1);
    assertThat(gone.stderr()).isEqualTo("container \"cli-life\" does not exist\n");
  }

  @Test
  void aContainerInInitModeOutlivesTheJvmThatMadeItAndItsExitCodeReachesTheNextOne() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"),
        spec -> spec.putObject("annotations").put("dev.tugboat.runtime/init", "true"),
        "sh", "-c", "trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done");
    Result created = tug("create", "--bundle", bundle.toString(), "cli-init");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    assertThat(tug("start", "cli-init").exitCode()).isZero();
    while (!Files.readString(created.stdoutFile()).contains("ready")) Thread.onSpinWait();
    assertThat(tug("kill", "cli-init", "TERM").exitCode()).isZero();
    while (!tug("state", "cli-init").stdout().contains("\"status\" : \"stopped\"")) Thread.onSpinWait();
    assertThat(tug("state", "cli-init").stdout()).contains("\"exitCode\" : 42");
    assertThat(tug("delete", "cli-init").exitCode()).isZero();
  }

  @Test
  void runInTheForegroundExitsWithTheContainersStatus() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), "sh", "-c", "echo out; echo err >&2; exit 3");
    Result run = tug("run", "--bundle", bundle.toString(), "cli-run");
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    assertThat(run.stdout()).isEqualTo("out\n");
    assertThat(run.stderr()).isEqualTo("err\n");
    assertThat(tug("list", "-q").stdout()).isEmpty();
  }

  @Test
  void errorsGoToStderrAndToTheLogAsJsonLines() throws Exception {
    Path log = tmp.resolve("log.json");
    Result kill = tug("--log", log.toString(), "--log-format", "json", "kill", "cli-nobody", "TERM");
    assertThat(kill.exitCode()).isEqualTo(1);
    assertThat(kill.stderr()).isEqualTo("container \"cli-nobody\" does not exist\n");
    assertThat(Files.readString(log))
        .startsWith("{\"level\":\"error\",\"msg\":\"container \\\"cli-nobody\\\" does not exist\",\"time\":\"");
  }

  @Test
  void aConsoleSocketForAProcessWithoutATerminalIsRefusedAsRuncRefusesIt() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), "true");
    Path socket = tmp.resolve("console.sock");
    int listening = dev.tugboat.nativebindings.ConsoleSocket.listen(socket.toString());
    try {
      Result create = tug("create", "--bundle", bundle.toString(), "--console-socket", socket.toString(), "cli-tty");
      assertThat(create.exitCode()).isEqualTo(1);
      assertThat(create.stderr()).isEqualTo("container \"cli-tty\": cannot use console socket if runc will not detach "
          + "or allocate tty (process.terminal is false)\n");
    } finally {
      dev.tugboat.nativebindings.Linux.close(listening);
    }
  }
}
