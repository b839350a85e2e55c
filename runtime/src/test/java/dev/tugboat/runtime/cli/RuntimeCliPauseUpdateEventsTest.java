package dev.tugboat.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.runtime.container.TestBundles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** pause, resume, update and events through `tug runtime`, next to runc on the same bundle where runc runs here. */
// A guard against a hang (tests wait for container state without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeCliPauseUpdateEventsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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

  private TugCli.Result runc(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("runc", "--root", tmp.resolve("runc").toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(tmp, "runc-out", ".txt");
    Path err = Files.createTempFile(tmp, "runc-err", ".txt");
    int code = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start().waitFor();
    return new TugCli.Result(code, Files.readString(out), Files.readString(err));
  }

  private static String status(TugCli.Result state) throws Exception {
    return JSON.readTree(state.stdout()).get("status").stringValue();
  }

  private void runDetached(String id, Path bundle) throws Exception {
    TugCli.Result run = tug.run("run", "--detach", "--bundle", bundle.toString(), id);
    assertThat(run.exitCode()).as(run.stderr()).isZero();
  }

  @Test
  void pausedIsTheStatusRuncReportsAndResumeMakesItRunningAgain() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"),
        spec -> ((ObjectNode) spec.get("linux")).put("cgroupsPath", "/tugboat/rtcli-runc-pause"), "sleep", "100");
    assertThat(runc("run", "--detach", "--bundle", bundle.toString(), "rtcli-runc-pause").exitCode()).isZero();
    String runcPaused;
    try {
      assertThat(runc("pause", "rtcli-runc-pause").exitCode()).isZero();
      runcPaused = status(runc("state", "rtcli-runc-pause"));
    } finally {
      runc("delete", "--force", "rtcli-runc-pause");
    }

    runDetached("rtcli-pause", TestBundles.bundle(tmp.resolve("tug-bundle"), "sleep", "100"));
    assertThat(tug.run("pause", "rtcli-pause").exitCode()).isZero();
    assertThat(status(tug.run("state", "rtcli-pause"))).isEqualTo(runcPaused).isEqualTo("paused");
    assertThat(tug.run("list").stdout()).contains("paused");
    TugCli.Result again = tug.run("pause", "rtcli-pause");
    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.stderr()).isEqualTo("container \"rtcli-pause\" is not running\n");
    assertThat(tug.run("resume", "rtcli-pause").exitCode()).isZero();
    assertThat(status(tug.run("state", "rtcli-pause"))).isEqualTo("running");
    assertThat(tug.run("resume", "rtcli-pause").stderr()).isEqualTo("container \"rtcli-pause\" is not paused\n");
  }

  @Test
  void deleteForceOfAPausedContainerThawsAndKillsIt() throws Exception {
    runDetached("rtcli-pause-del", TestBundles.bundle(tmp.resolve("bundle"), "sleep", "100"));
    assertThat(tug.run("pause", "rtcli-pause-del").exitCode()).isZero();
    assertThat(tug.run("delete", "rtcli-pause-del").exitCode()).isEqualTo(1);
    assertThat(tug.run("delete", "--force", "rtcli-pause-del").exitCode()).isZero();
    assertThat(tug.run("list", "-q").stdout()).isEmpty();
    assertThat(Path.of("/sys/fs/cgroup/freezer/tugboat/rtcli-pause-del")).doesNotExist();
  }

  @Test
  void updateTakesRuncsFlagsAndAResourcesFileAndNamesABadFlag() throws Exception {
    runDetached("rtcli-update", TestBundles.bundle(tmp.resolve("bundle"), "sleep", "100"));
    TugCli.Result update = tug.run("update", "--memory", "64m", "--cpu-quota", "50000", "--cpu-period", "100000",
        "--pids-limit", "40", "rtcli-update");
    assertThat(update.exitCode()).as(update.stderr()).isZero();
    Path memory = Path.of("/sys/fs/cgroup/memory/tugboat/rtcli-update");
    assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(64L << 20));
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/cpu/tugboat/rtcli-update/cpu.cfs_quota_us")).trim())
        .isEqualTo("50000");
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-update/pids.max")).trim()).isEqualTo("40");

    Path resources = tmp.resolve("resources.json");
    Files.writeString(resources, "{\"memory\":{\"limit\":100663296},\"pids\":{\"limit\":30}}");
    TugCli.Result fromFile = tug.run("update", "-r", resources.toString(), "--pids-limit", "20", "rtcli-update");
    assertThat(fromFile.exitCode()).as(fromFile.stderr()).isZero();
    assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo("100663296");
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-update/pids.max")).trim()).isEqualTo("20");

    Path cpu = Path.of("/sys/fs/cgroup/cpu/tugboat/rtcli-update");
    for (String flag : List.of("--cpu-share", "--cpu-shares")) {
      String shares = flag.equals("--cpu-share") ? "512" : "256";
      TugCli.Result sharesUpdate = tug.run("update", flag, shares, "--cpu-period", "50000", "rtcli-update");
      assertThat(sharesUpdate.exitCode()).as(sharesUpdate.stderr()).isZero();
      assertThat(Files.readString(cpu.resolve("cpu.shares")).trim()).as(flag).isEqualTo(shares);
    }
    assertThat(Files.readString(cpu.resolve("cpu.cfs_period_us")).trim()).isEqualTo("50000");
    assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");

    TugCli.Result swap = tug.run("update", "--memory", "32m", "--memory-swap", "64m", "--pids-limit", "0", "rtcli-update");
    assertThat(swap.exitCode()).as(swap.stderr()).isZero();
    assertThat(Files.readString(memory.resolve("memory.limit_in_bytes")).trim()).isEqualTo(Long.toString(32L << 20));
    assertThat(Files.readString(memory.resolve("memory.memsw.limit_in_bytes")).trim()).isEqualTo(Long.toString(64L << 20));
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-update/pids.max")).trim()).isEqualTo("max");

    Path stdin = tmp.resolve("resources-stdin.json");
    Files.writeString(stdin, "{\"cpu\":{\"shares\":300,\"quota\":-1},\"pids\":{\"limit\":25}}");
    TugCli.Result fromStdin = tug.runWithInput(stdin, "update", "-r", "-", "rtcli-update");
    assertThat(fromStdin.exitCode()).as(fromStdin.stderr()).isZero();
    assertThat(Files.readString(cpu.resolve("cpu.shares")).trim()).isEqualTo("300");
    assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("-1");
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-update/pids.max")).trim()).isEqualTo("25");

    TugCli.Result cpuset = tug.run("update", "--cpuset-cpus", "0", "rtcli-update");
    assertThat(cpuset.exitCode()).isEqualTo(1);
    assertThat(cpuset.stderr()).isEqualTo("cpuset.cpus: cgroup rtcli-update was made without a cpuset limit, so it is "
        + "not in the cpuset hierarchy and cannot be limited to CPUs while it runs\n");
    TugCli.Result badFile = tug.run("update", "-r", tmp.resolve("none.json").toString(), "rtcli-update");
    assertThat(badFile.exitCode()).isEqualTo(1);
    assertThat(badFile.stderr()).startsWith("--resources: cannot read " + tmp.resolve("none.json"));
    Files.writeString(resources, "{\"memory\":{\"limit\":\"lots\"}}");
    assertThat(tug.run("update", "-r", resources.toString(), "rtcli-update").stderr())
        .isEqualTo("--resources " + resources + ": $.memory.limit: expected integer\n");

    TugCli.Result bad = tug.run("update", "--memory", "abc", "rtcli-update");
    assertThat(bad.exitCode()).isEqualTo(1);
    assertThat(bad.stderr()).isEqualTo("invalid value for memory: invalid size: 'abc'\n");
    assertThat(tug.run("update", "--cpu-shares", "x", "rtcli-update").stderr())
        .isEqualTo("invalid value for cpu-shares: not an integer: 'x'\n");
  }

  @Test
  void eventsStatsPrintsOneStatsObjectWithRuncsKeys() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"),
        spec -> ((ObjectNode) spec.get("linux")).put("cgroupsPath", "/tugboat/rtcli-runc-stats"), "sleep", "100");
    assertThat(runc("run", "--detach", "--bundle", bundle.toString(), "rtcli-runc-stats").exitCode()).isZero();
    JsonNode byRunc;
    try {
      byRunc = JSON.readTree(runc("events", "--stats", "rtcli-runc-stats").stdout());
    } finally {
      runc("delete", "--force", "rtcli-runc-stats");
    }

    runDetached("rtcli-stats", TestBundles.bundle(tmp.resolve("tug-bundle"), "sleep", "100"));
    TugCli.Result events = tug.run("events", "--stats", "rtcli-stats");
    assertThat(events.exitCode()).as(events.stderr()).isZero();
    assertThat(events.stdout().lines()).hasSize(1);
    JsonNode ours = JSON.readTree(events.stdout());
    assertThat(ours.get("type").stringValue()).isEqualTo("stats");
    assertThat(ours.get("id").stringValue()).isEqualTo("rtcli-stats");
    for (String path : List.of("", "/cpu", "/cpu/usage", "/memory", "/memory/usage", "/pids")) {
      assertThat(keys(ours.at("/data" + path))).as(path).isNotEmpty().isSubsetOf(keys(byRunc.at("/data" + path)));
    }
    assertThat(keys(ours.at("/data"))).containsExactlyInAnyOrder("cpu", "memory", "pids");
    assertThat(ours.at("/data/pids/current").asLong()).isEqualTo(1);
  }

  private static Set<String> keys(JsonNode node) {
    Set<String> keys = new TreeSet<>();
    node.propertyNames().forEach(keys::add);
    return keys;
  }

  @Test
  void eventsStreamsStatsAndTellsAnOomAsItHappensUntilTheContainerIsDeleted() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("bundle"), spec -> {
      ObjectNode memory = ((ObjectNode) spec.get("linux")).putObject("resources").putObject("memory");
      memory.put("limit", 16L << 20);
      memory.put("swap", 16L << 20);
    }, "sh", "-c", "read line; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 100");
    Path fifo = tmp.resolve("stdin");
    new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
    // Held open read-write, so the CLI's open of its stdin does not wait for a writer.
    int writer = Linux.open(fifo.toString(), Linux.O_RDWR | Linux.O_CLOEXEC, 0);
    try {
      // The container's stdin is the FIFO: it allocates only once the events stream has started.
      Process create = tug.start(fifo, tmp.resolve("create.out"), tmp.resolve("create.err"),
          "run", "--detach", "--bundle", bundle.toString(), "rtcli-oom");
      assertThat(create.waitFor()).as(Files.readString(tmp.resolve("create.err"))).isZero();
      Path eventsOut = tmp.resolve("events.out");
      Process events = tug.start(Path.of("/dev/null"), eventsOut, tmp.resolve("events.err"),
          "events", "--interval", "1h", "rtcli-oom");
      while (!Files.readString(eventsOut).contains("\"type\":\"stats\"")) Thread.onSpinWait();
      Linux.write(writer, "go\n".getBytes());
      while (!Files.readString(eventsOut).contains("\"type\":\"oom\"")) Thread.onSpinWait();
      assertThat(tug.run("delete", "--force", "rtcli-oom").exitCode()).isZero();
      assertThat(events.waitFor()).isZero();
      // One stats line (the next is an hour away): the OOM came from the kernel's notice, not from a later look, and
      // the delete ended the stream at once.
      assertThat(Files.readString(eventsOut)).startsWith("{\"type\":\"stats\"")
          .contains("{\"type\":\"oom\",\"id\":\"rtcli-oom\"}\n");
      assertThat(Files.readString(eventsOut).split("\"type\":\"stats\"", -1)).hasSize(2);
    } finally {
      Linux.close(writer);
    }
  }
}
