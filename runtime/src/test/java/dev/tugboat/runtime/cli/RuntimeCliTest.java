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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** `tug runtime` driven the way containerd drives runc: every command a separate JVM over the same --root. */
// A guard against a hang (tests wait for container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  record Result(int exitCode, String stdout, String stderr, Path stdoutFile) {}

  private final CliLeftovers leftovers = new CliLeftovers();

  private Result tug(String... args) throws Exception {
    leftovers.note(args);
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
    leftovers.assertNoneLeft(tmp.resolve("root"));
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

  @Test
  void theFlagsContainerdAndDockerPassAreAcceptedAndTheStateHasRuncsFields() throws Exception {
    Result version = tug("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.stdout()).matches("tug runtime version \\S+\nspec: 1\\.0\\.2\n");
    assertThat(tug("-v").stdout()).isEqualTo(version.stdout());

    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), "sleep", "100");
    Path log = tmp.resolve("log.json");
    Path pidFile = tmp.resolve("pid");
    Result created = tug("--log", log.toString(), "--log-format", "json", "--rootless", "auto", "create", "--bundle",
        bundle.toString(), "--pid-file", pidFile.toString(), "--no-pivot", "--no-new-keyring", "cli-ctrd");
    assertThat(created.exitCode()).as(created.stderr()).isZero();
    JsonNode state = JSON.readTree(tug("state", "cli-ctrd").stdout());
    // The fields runc 1.1 prints for a container without annotations
    assertThat(state.propertyNames()).containsExactlyInAnyOrder("ociVersion", "id", "pid", "status", "bundle", "rootfs",
        "created", "owner");
    assertThat(state.get("pid").asInt()).isEqualTo(Integer.parseInt(Files.readString(pidFile)));
    assertThat(state.get("owner").asString()).isEmpty();
    // runc's list fills owner in: the user owning the state directory (these tests run as root)
    JsonNode listed = JSON.readTree(tug("list", "-f", "json").stdout());
    assertThat(listed.get(0).get("id").asString()).isEqualTo("cli-ctrd");
    assertThat(listed.get(0).get("owner").asString()).isEqualTo("root");
    assertThat(tug("start", "cli-ctrd").exitCode()).isZero();

    Path process = tmp.resolve("process.json");
    Files.writeString(process, "{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": [\"sleep\", \"99\"], \"env\": [\"PATH=/bin\"],"
        + " \"cwd\": \"/\", \"terminal\": false}");
    Path execPid = tmp.resolve("exec.pid");
    Result detached = tug("exec", "--process", process.toString(), "--detach", "--pid-file", execPid.toString(), "cli-ctrd");
    assertThat(detached.exitCode()).as(detached.stderr()).isZero();
    assertThat(tug("ps", "--format", "json", "cli-ctrd").stdout()).contains(Files.readString(execPid));

    Result withCap = tug("exec", "--cap", "CAP_SYS_ADMIN", "cli-ctrd", "grep", "CapEff", "/proc/self/status");
    assertThat(withCap.stdout()).as(withCap.stderr()).isEqualTo("CapEff:\t0000000020200420\n");
    Result badCap = tug("exec", "--cap", "SYS_FLY", "cli-ctrd", "true");
    assertThat(badCap.exitCode()).isEqualTo(1);
    assertThat(badCap.stderr()).isEqualTo("unknown capability \"SYS_FLY\" (expected a name like CAP_SYS_ADMIN)\n");
    Result ignorePaused = tug("exec", "--ignore-paused", "cli-ctrd", "true");
    assertThat(ignorePaused.exitCode()).isEqualTo(1);
    assertThat(ignorePaused.stderr()).isEqualTo("--ignore-paused: not supported (exec in a paused container)\n");
    assertThat(tug("pause", "cli-ctrd").exitCode()).isZero();
    assertThat(tug("exec", "cli-ctrd", "true").stderr()).isEqualTo("container \"cli-ctrd\": cannot exec in a paused container\n");
    assertThat(tug("resume", "cli-ctrd").exitCode()).isZero();

    assertThat(tug("kill", "--all", "cli-ctrd", "KILL").exitCode()).isZero();
    while (!tug("state", "cli-ctrd").stdout().contains("\"status\" : \"stopped\"")) Thread.onSpinWait();
    assertThat(tug("delete", "--force", "cli-ctrd").exitCode()).isZero();
    assertThat(tug("delete", "--force", "cli-ctrd").exitCode()).as("runc's delete --force of no container").isZero();
    assertThat(Files.exists(log) ? Files.readString(log) : "").isEmpty();

    Result run = tug("run", "--no-subreaper", "--no-pivot", "--no-new-keyring", "--bundle",
        TestBundles.bundle(tmp.resolve("bundle2"), "true").toString(), "cli-ctrd-run");
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    Result rootless = tug("--rootless", "true", "list");
    assertThat(rootless.exitCode()).isEqualTo(2);
    assertThat(rootless.stderr()).startsWith("--rootless: only auto or false (Tugboat runs as root), got \"true\"");
  }
}
