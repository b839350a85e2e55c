package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.oci.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(NoLeaks.class)
// A guard against a hang (tests wait for container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ContainerLifecycleTest {
  @TempDir Path tmp;
  private ContainerRuntime runtime;
  private Path out;

  @BeforeEach
  void setUp() {
    runtime = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
    out = tmp.resolve("out.log");
  }

  @AfterEach
  void tearDown() {
    for (ContainerState s : runtime.list()) runtime.delete(s.id(), true);
    runtime.close();
  }

  private CreateOptions logged() {
    return CreateOptions.defaults().withStdio(Stdio.files(out, out));
  }

  private String output() throws Exception {
    return Files.readString(out);
  }

  @Test
  void theBundleRuncSpecWritesRunsUnchangedAndReportsItsExitCode() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c", "echo hello from $(hostname); exit 7");
    assertThat(runtime.run(bundle, "rt-exit", logged())).isEqualTo(WaitStatus.exited(7));
    assertThat(output()).isEqualTo("hello from runc\n");
    assertThat(runtime.list()).isEmpty();
  }

  @Test
  void containerIsPid1WithItsOwnHostnameMountsAndProc() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c",
        "echo pid=$$; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; ls /proc | grep -E '^[0-9]+$' | tr '\\n' ' ';"
            + " echo; cut -d' ' -f5 /proc/self/mountinfo | tr '\\n' ' '");
    assertThat(runtime.run(bundle, "rt-isolation", logged())).isEqualTo(WaitStatus.exited(0));
    List<String> lines = Arrays.asList(output().split("\n"));
    assertThat(lines.get(0)).isEqualTo("pid=1");
    assertThat(lines.get(1)).isEqualTo("runc");
    assertThat(lines.get(2)).startsWith("sh -c ");
    Set<Integer> pids = Arrays.stream(lines.get(3).trim().split(" ")).map(Integer::parseInt).collect(Collectors.toSet());
    assertThat(pids).contains(1).allMatch(p -> p < 10);
    Set<String> mountPoints = Set.of(lines.get(4).trim().split(" "));
    assertThat(mountPoints).contains("/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys");
    assertThat(mountPoints).allMatch(m -> m.equals("/") || m.startsWith("/proc") || m.startsWith("/dev")
        || m.startsWith("/sys"), "only the container's own mounts");
  }

  @Test
  void everyMountTypeOfTheSpecIsMountedWithItsFilesystemAndOptions() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host-data"));
    Files.writeString(host.resolve("file"), "from the host\n");
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var mounts = spec.withArray("mounts");
      mounts.addObject().put("destination", "/data").put("type", "bind").put("source", host.toString())
          .putArray("options").add("rbind").add("ro");
      mounts.addObject().put("destination", "/rw").put("source", host.toString()).putArray("options").add("bind");
      mounts.addObject().put("destination", "/scratch").put("type", "tmpfs").put("source", "tmpfs")
          .putArray("options").add("nosuid").add("size=1m").add("mode=700");
    }, "sh", "-c", "cat /data/file; touch /data/x 2>/dev/null || echo read-only; echo written > /rw/y;"
        + " stat -c %a /scratch; awk '{for (i = 7; $i != \"-\"; i++); print $5, $(i + 1), $6}' /proc/self/mountinfo");
    assertThat(runtime.run(bundle, "rt-mounts", logged())).isEqualTo(WaitStatus.exited(0));
    List<String> lines = Arrays.asList(output().split("\n"));
    assertThat(lines.subList(0, 3)).containsExactly("from the host", "read-only", "700");
    assertThat(Files.readString(host.resolve("y"))).isEqualTo("written\n");
    assertThat(host.resolve("x")).doesNotExist();
    List<String> mounts = lines.subList(3, lines.size());
    // runc spec's proc, tmpfs /dev, devpts, shm, mqueue, sysfs and cgroup mounts, and the three above
    assertThat(mounts).anyMatch(m -> m.startsWith("/proc proc "))
        .anyMatch(m -> m.startsWith("/dev tmpfs "))
        .anyMatch(m -> m.startsWith("/dev/pts devpts "))
        .anyMatch(m -> m.startsWith("/dev/shm tmpfs "))
        .anyMatch(m -> m.startsWith("/dev/mqueue mqueue "))
        .anyMatch(m -> m.matches("/sys sysfs ro,.*"))
        .anyMatch(m -> m.matches("/sys/fs/cgroup/\\S*memory\\S* cgroup ro,.*"))
        .anyMatch(m -> m.matches("/data \\S+ ro,.*"))
        .anyMatch(m -> m.matches("/rw \\S+ rw,.*"))
        .anyMatch(m -> m.matches("/scratch tmpfs rw,nosuid,.*"));
  }

  @Test
  void stdioMayBeGivenFdsOfTheCaller() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c", "read line; echo got $line; echo oops >&2");
    int[] in = Linux.pipe();
    int[] out = Linux.pipe();
    int[] err = Linux.pipe();
    try {
      Linux.write(in[1], "hello\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      Linux.close(in[1]);
      in[1] = -1;
      assertThat(runtime.run(bundle, "rt-fds", CreateOptions.defaults().withStdio(Stdio.fds(in[0], out[1], err[1]))))
          .isEqualTo(WaitStatus.exited(0));
      Linux.close(out[1]);
      out[1] = -1;
      Linux.close(err[1]);
      err[1] = -1;
      assertThat(readToEnd(out[0])).isEqualTo("got hello\n");
      assertThat(readToEnd(err[0])).isEqualTo("oops\n");
    } finally {
      for (int fd : new int[] {in[0], in[1], out[0], out[1], err[0], err[1]}) Linux.closeQuietly(fd);
    }
  }

  private static String readToEnd(int fd) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    for (int n; (n = Linux.read(fd, buffer)) > 0; ) bytes.write(buffer, 0, n);
    return bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void aRootfsWithoutAProcDirectoryGetsOneWithProcMounted() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '");
    Files.delete(bundle.resolve("rootfs/proc"));
    assertThat(runtime.run(bundle, "rt-noproc", logged())).isEqualTo(WaitStatus.exited(0));
    assertThat(output()).startsWith("sh -c ");
  }

  @Test
  void runcSpecHardeningApplies() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c",
        "touch /x 2>/dev/null && echo root-writable; wc -c < /proc/keys; echo 1 > /proc/sys/vm/drop_caches 2>/dev/null"
            + " && echo sys-writable; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status;"
            + " ulimit -n; ls /dev");
    assertThat(runtime.run(bundle, "rt-hardening", logged())).isEqualTo(WaitStatus.exited(0));
    String text = output();
    assertThat(text).doesNotContain("root-writable").doesNotContain("sys-writable");
    assertThat(text).startsWith("0\n") // /proc/keys masked by /dev/null
        .contains("CapEff:\t0000000020000420") // AUDIT_WRITE, KILL, NET_BIND_SERVICE
        .contains("NoNewPrivs:\t1").contains("\n1024\n");
    assertThat(text).contains("null", "zero", "urandom", "tty", "pts", "shm", "mqueue", "ptmx", "fd");
  }

  @Test
  void theProcessRunsAsTheSpecsUserWithItsGroups() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var user = ((tools.jackson.databind.node.ObjectNode) spec.get("process")).putObject("user");
      user.put("uid", 1000).put("gid", 100).putArray("additionalGids").add(10).add(20);
    }, "sh", "-c", "id -u; id -g; id -G; grep CapEff /proc/self/status");
    assertThat(runtime.run(bundle, "rt-user", logged())).isEqualTo(WaitStatus.exited(0));
    // As with runc: runc's spec lists no inheritable capabilities, so none survive the switch to a non-root uid.
    assertThat(output()).isEqualTo("1000\n100\n100 10 20\nCapEff:\t0000000000000000\n");
  }

  @Test
  void createStartStateKillDeleteFollowTheOciLifecycle() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    ContainerState created = runtime.create("rt-life", bundle, CreateOptions.defaults());
    assertThat(created.status()).isEqualTo(ContainerStatus.CREATED);
    assertThat(created.pid()).isPositive();
    assertThat(created.bundle()).isEqualTo(bundle.toString());
    assertThat(created.toJson()).contains("\"status\" : \"created\"", "\"id\" : \"rt-life\"", "\"ociVersion\"");
    runtime.start("rt-life");
    assertThat(runtime.state("rt-life").status()).isEqualTo(ContainerStatus.RUNNING);
    assertThatThrownBy(() -> runtime.start("rt-life"))
        .hasMessage("container \"rt-life\": cannot start a container that is running");
    assertThatThrownBy(() -> runtime.delete("rt-life", false))
        .hasMessage("container \"rt-life\": cannot delete a container that is running (use --force)");
    runtime.kill("rt-life", Linux.SIGKILL, false);
    assertThat(runtime.awaitExit("rt-life")).contains(WaitStatus.signaled(Linux.SIGKILL));
    ContainerState stopped = runtime.state("rt-life");
    assertThat(stopped.status()).isEqualTo(ContainerStatus.STOPPED);
    assertThat(stopped.toJson()).contains("\"exitSignal\" : \"SIGKILL\"", "\"pid\" : 0");
    assertThatThrownBy(() -> runtime.kill("rt-life", Linux.SIGTERM, false))
        .hasMessage("container \"rt-life\" is not running");
    runtime.delete("rt-life", false);
    assertThatThrownBy(() -> runtime.state("rt-life")).isInstanceOf(ContainerNotFoundException.class)
        .hasMessage("container \"rt-life\" does not exist");
  }

  @Test
  void signalsReachTheContainerProcessWhichDecidesItsExitCode() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c",
        "trap 'echo got TERM; exit 3' TERM; echo ready; while true; do sleep 0.05; done");
    runtime.create("rt-term", bundle, logged());
    runtime.start("rt-term");
    while (!output().contains("ready")) Thread.onSpinWait();
    runtime.kill("rt-term", Linux.SIGTERM, false);
    assertThat(runtime.awaitExit("rt-term")).contains(WaitStatus.exited(3));
    assertThat(output()).contains("got TERM");
    runtime.delete("rt-term", false);
  }

  @Test
  void killAllSignalsEveryProcessOfTheContainer() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sh", "-c",
        "trap 'echo parent got TERM' TERM; sh -c 'trap \"echo child got TERM\" TERM; echo ready;"
            + " while :; do sleep 0.05; done' & while :; do sleep 0.05; done");
    runtime.create("rt-killall", bundle, logged());
    runtime.start("rt-killall");
    while (!output().contains("ready")) Thread.onSpinWait();
    runtime.kill("rt-killall", Linux.SIGTERM, true);
    while (!(output().contains("parent got TERM") && output().contains("child got TERM"))) Thread.onSpinWait();
    runtime.delete("rt-killall", true);
  }

  @Test
  void deleteOfACreatedContainerKillsItAndRemovesItsCgroup() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "true");
    runtime.create("rt-created", bundle, CreateOptions.defaults());
    assertThat(Path.of("/sys/fs/cgroup/pids/tugboat/rt-created")).isDirectory();
    runtime.delete("rt-created", false);
    assertThat(Path.of("/sys/fs/cgroup/pids/tugboat/rt-created")).doesNotExist();
    assertThat(tmp.resolve("state/rt-created")).doesNotExist();
  }

  @Test
  void aCreatedContainersProcessIsInItsCgroupInEveryHierarchyBeforeStart() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "true");
    ContainerState created = runtime.create("rt-joined", bundle, CreateOptions.defaults());
    List<String> lines = Files.readAllLines(Path.of("/proc/" + created.pid() + "/cgroup"));
    for (String controller : List.of("cpu", "cpuacct", "memory", "pids", "freezer")) {
      String line = "\\d+:([^:]*,)?" + controller + "(,[^:]*)?:/tugboat/rt-joined";
      assertThat(lines).as(controller).anyMatch(l -> l.matches(line));
    }
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rt-joined/cgroup.procs")).trim())
        .isEqualTo(Integer.toString(created.pid()));
    runtime.delete("rt-joined", true);
  }

  @Test
  void cgroupLimitsApplyAndTheContainerSeesItsOwnCgroup() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var resources = ((tools.jackson.databind.node.ObjectNode) spec.get("linux")).putObject("resources");
      resources.putObject("memory").put("limit", 64L << 20);
      resources.putObject("pids").put("limit", 32);
    }, "sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max");
    assertThat(runtime.run(bundle, "rt-limits", logged())).isEqualTo(WaitStatus.exited(0));
    assertThat(output()).isEqualTo((64L << 20) + "\n32\n");
  }

  @Test
  void aProcessBeyondItsMemoryLimitIsKilledAndTheStateSaysOomKilled() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var resources = ((tools.jackson.databind.node.ObjectNode) spec.get("linux")).putObject("resources");
      resources.putObject("memory").put("limit", 16L << 20).put("swap", 16L << 20);
    }, "dd", "if=/dev/zero", "of=/dev/null", "bs=128M", "count=1");
    runtime.create("rt-oom", bundle, logged());
    runtime.start("rt-oom");
    assertThat(runtime.awaitExit("rt-oom")).contains(WaitStatus.signaled(Linux.SIGKILL));
    ContainerState state = runtime.state("rt-oom");
    assertThat(state.oomKilled()).isTrue();
    assertThat(state.toJson()).contains("\"oomKilled\" : true");
    runtime.delete("rt-oom", false);
  }

  @Test
  void aForkBombInsideTheContainerStopsAtPidsMax() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var resources = ((tools.jackson.databind.node.ObjectNode) spec.get("linux")).putObject("resources");
      resources.putObject("pids").put("limit", 10);
    }, "sh", "-c", "i=0; while [ $i -lt 100 ]; do sleep 1000 & i=$((i+1)); done; echo all forked");
    runtime.create("rt-forkbomb", bundle, logged());
    runtime.start("rt-forkbomb");

    // The shell is the container's pid 1: when fork fails it exits, and the kernel ends its sleeping children.
    assertThat(runtime.awaitExit("rt-forkbomb"))
        .hasValueSatisfying(status -> assertThat(status).isNotEqualTo(WaitStatus.exited(0)));
    assertThat(output()).contains("can't fork").doesNotContain("all forked");
    runtime.delete("rt-forkbomb", false);
  }

  @Test
  void aBusyLoopInsideTheContainerIsThrottledToItsCpuQuota() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> {
      var resources = ((tools.jackson.databind.node.ObjectNode) spec.get("linux")).putObject("resources");
      resources.putObject("cpu").put("quota", 10_000).put("period", 100_000);
    }, "sh", "-c", "cd /sys/fs/cgroup/cpu,cpuacct 2>/dev/null || cd /sys/fs/cgroup/cpu || cd /sys/fs/cgroup;"
        + " cat cpu.cfs_quota_us 2>/dev/null || cat cpu.max;"
        + " (while :; do :; done) & sleep 1; kill $!; grep nr_throttled cpu.stat");
    assertThat(runtime.run(bundle, "rt-cpu", logged())).isEqualTo(WaitStatus.exited(0));

    List<String> lines = Arrays.asList(output().trim().split("\n"));
    assertThat(lines.get(0)).isIn("10000", "10000 100000");
    // A second of spinning under a 10 ms per 100 ms quota is throttled in most of its periods.
    assertThat(Long.parseLong(lines.get(1).replace("nr_throttled ", "").trim())).isPositive();
  }

  @Test
  void execRunsInTheContainersNamespacesAndReportsItsExitCode() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rt-exec", bundle, CreateOptions.defaults());
    runtime.start("rt-exec");
    ExecProcess exec = runtime.exec("rt-exec",
        List.of("sh", "-c", "echo pid=$$; hostname; cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 5"),
        Stdio.files(out, out));
    assertThat(exec.await()).isEqualTo(WaitStatus.exited(5));
    List<String> lines = Arrays.asList(output().split("\n"));
    assertThat(lines.get(0)).matches("pid=\\d+").isNotEqualTo("pid=1");
    assertThat(lines.get(1)).isEqualTo("runc");
    assertThat(lines.get(2)).isEqualTo("sleep 100 ");
    assertThatThrownBy(() -> runtime.exec("rt-exec", List.of("no-such-tool"), Stdio.discard()))
        .hasMessageStartingWith("container \"rt-exec\": exec: tug-init: exec(\"no-such-tool\"): not found in PATH")
        .hasMessageEndingWith(": ENOENT");
    runtime.delete("rt-exec", true);
  }

  @Test
  void aNewRuntimeOverTheSameRootFindsTheContainerAndItsExitCode() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rt-restart", bundle, CreateOptions.defaults().withInitMode(true));
    runtime.start("rt-restart");
    runtime.close();
    runtime = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
    assertThat(runtime.state("rt-restart").status()).isEqualTo(ContainerStatus.RUNNING);
    WaitStatus killed = runtime.exec("rt-restart", List.of("sh", "-c",
        // In init mode start returns once tug-init is told to go: the workload it forks may not exist yet, and this
        // process may even come first and be pid 2.
        "until pid=$(pidof sleep); do usleep 10000; done; kill -TERM $pid"), Stdio.files(out, out))
        .await();
    assertThat(killed).as(output()).isEqualTo(WaitStatus.exited(0));
    assertThat(runtime.awaitExit("rt-restart")).contains(WaitStatus.signaled(15));
    assertThat(runtime.state("rt-restart").exit()).contains(WaitStatus.signaled(15));
    runtime.delete("rt-restart", false);
  }

  @Test
  void malformedConfigJsonIsRejectedBeforeAnythingIsCreated() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> spec.withObject("linux").withObject("resources")
        .withObject("memory").put("limit", "64M"), "true");
    assertThatThrownBy(() -> runtime.create("rt-bad", bundle, CreateOptions.defaults()))
        .isInstanceOf(SpecException.class)
        .hasMessage("config.json: $.linux.resources.memory.limit: expected integer");
    assertThat(tmp.resolve("state/rt-bad")).doesNotExist();
  }

  @Test
  void missingRootfsIsAnErrorNamingThePath() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> ((tools.jackson.databind.node.ObjectNode) spec.get("root"))
        .put("path", "nowhere"), "true");
    assertThatThrownBy(() -> runtime.create("rt-norootfs", bundle, CreateOptions.defaults()))
        .hasMessage("container \"rt-norootfs\": root.path: " + bundle.resolve("nowhere") + ": no such directory");
    assertThat(tmp.resolve("state/rt-norootfs")).doesNotExist();
  }

  @Test
  void duplicateIdIsRefusedAndLeavesTheFirstContainerAlone() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rt-dup", bundle, CreateOptions.defaults());
    assertThatThrownBy(() -> runtime.create("rt-dup", bundle, CreateOptions.defaults()))
        .hasMessage("container \"rt-dup\" already exists");
    assertThat(runtime.state("rt-dup").status()).isEqualTo(ContainerStatus.CREATED);
    runtime.delete("rt-dup", true);
  }

  @Test
  void aDeletedContainersStateDirectoryIsReusedWhileListAndDuplicateChecksIgnoreSpares() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rt-first", bundle, CreateOptions.defaults());
    Object firstKey = Files.readAttributes(tmp.resolve("state/rt-first"),
        java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    runtime.delete("rt-first", true);
    assertThat(tmp.resolve("state/rt-first")).doesNotExist();
    assertThat(runtime.list()).isEmpty();
    runtime.awaitStateCleanup();
    runtime.create("rt-second", bundle, CreateOptions.defaults());
    assertThat(Files.readAttributes(tmp.resolve("state/rt-second"),
        java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(firstKey);
    assertThat(Files.getPosixFilePermissions(tmp.resolve("state/rt-second")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    runtime.delete("rt-second", true);
    runtime.create("rt-third", bundle, CreateOptions.defaults());
    runtime.create("rt-fourth", bundle, CreateOptions.defaults());
    runtime.delete("rt-fourth", true);
    runtime.awaitStateCleanup();
    // A spare is there to take, yet an existing id is still refused.
    assertThatThrownBy(() -> runtime.create("rt-third", bundle, CreateOptions.defaults()))
        .hasMessage("container \"rt-third\" already exists");
    assertThat(runtime.list()).extracting(ContainerState::id).containsExactly("rt-third");
    ContainerRuntime restarted = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
    assertThat(restarted.list()).extracting(ContainerState::id).containsExactly("rt-third");
    restarted.close();
    runtime.delete("rt-third", true);
  }

  @Test
  void aContainerLeftCreatingByACrashedJvmIsRemovedByForcedDelete() throws Exception {
    // What a JVM that died between the state directory and the spawn leaves: a record without a process.
    Path dir = Files.createDirectories(tmp.resolve("state/rt-crashed"));
    new StateDirectory(dir).write(new ContainerRecord("rt-crashed", tmp.toString(), tmp.toString(), 0, 0,
        "2026-11-28T00:00:00Z", java.util.Map.of(), null, false));
    assertThat(runtime.state("rt-crashed").status()).isEqualTo(ContainerStatus.CREATING);
    assertThatThrownBy(() -> runtime.delete("rt-crashed", false))
        .hasMessage("container \"rt-crashed\": cannot delete a container that is creating (use --force)");
    runtime.delete("rt-crashed", true);
    assertThat(dir).doesNotExist();
  }

  @Test
  void unknownIdsAreReportedByEveryOperation() {
    assertThatThrownBy(() -> runtime.kill("rt-nobody", Linux.SIGTERM, false))
        .isInstanceOf(ContainerNotFoundException.class).hasMessage("container \"rt-nobody\" does not exist");
    assertThatThrownBy(() -> runtime.start("rt-nobody")).isInstanceOf(ContainerNotFoundException.class);
    assertThatThrownBy(() -> runtime.delete("rt-nobody", true)).isInstanceOf(ContainerNotFoundException.class);
    assertThatThrownBy(() -> runtime.state("../etc")).isInstanceOf(ContainerNotFoundException.class);
  }

  @Test
  void aProgramMissingFromTheRootfsFailsCreateWithItsErrnoAndLeavesNothing() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "no-such-program");
    assertThatThrownBy(() -> runtime.create("rt-noprog", bundle, CreateOptions.defaults()))
        .hasMessage("container \"rt-noprog\": tug-init: exec(\"no-such-program\"): not found in PATH "
            + "\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\": ENOENT");
    assertThat(tmp.resolve("state/rt-noprog")).doesNotExist();
  }

  @Test
  void runOfAProgramMissingFromTheRootfsFailsWithTheSameErrorAndLeavesNothing() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "no-such-program");
    assertThatThrownBy(() -> runtime.run(bundle, "rt-runnoprog"))
        .isInstanceOf(ContainerException.class)
        .hasMessage("container \"rt-runnoprog\": tug-init: exec(\"no-such-program\"): not found in PATH "
            + "\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\": ENOENT");
    assertThat(tmp.resolve("state/rt-runnoprog")).doesNotExist();
    assertThat(runtime.list()).isEmpty();
  }

  @Test
  void aFailingMountNamesTheContainerTheCallAndTheErrnoAndLeavesNothing() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> spec.withArray("mounts").addObject()
        .put("destination", "/data").put("type", "nosuchfs").put("source", "none"), "true");
    assertThatThrownBy(() -> runtime.create("rt-badmount", bundle, CreateOptions.defaults()))
        .isInstanceOf(ContainerException.class)
        .hasMessage("container \"rt-badmount\": mount(\"none\", \"" + bundle.resolve("rootfs/data")
            + "\", \"nosuchfs\", 0, NULL): ENODEV");
    assertThat(tmp.resolve("state/rt-badmount")).doesNotExist();
  }

  @Test
  void aMissingWorkingDirectoryIsCreatedAsRuncDoes() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"),
        spec -> ((tools.jackson.databind.node.ObjectNode) spec.get("process")).put("cwd", "/work/here"), "pwd");
    assertThat(runtime.run(bundle, "rt-cwd", logged())).isEqualTo(WaitStatus.exited(0));
    assertThat(output()).isEqualTo("/work/here\n");
  }

  @Test
  void terminalTrueWithoutAConsoleSocketIsRefusedClearly() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> ((tools.jackson.databind.node.ObjectNode) spec.get("process"))
        .put("terminal", true), "true");
    assertThatThrownBy(() -> runtime.create("rt-tty", bundle, CreateOptions.defaults()))
        .hasMessageStartingWith("container \"rt-tty\": process.terminal is true: cannot allocate tty without a console "
            + "socket");
  }

  @Test
  void runWorksInALoopFromAWarmJvmWithoutLeakingFileDescriptors() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "true");
    // From the second run on the runtime keeps a few spare namespaces open (each run takes one, and one is made):
    // counted once those are there, and with the teardown thread idle (its directory listing is an open fd).
    for (int i = 0; i < ContainerRuntime.SPARE_NAMESPACE_SETS + 2; i++) {
      assertThat(runtime.run(bundle, "rt-loop")).isEqualTo(WaitStatus.exited(0));
      runtime.awaitStateCleanup();
    }
    long fdsBefore;
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      fdsBefore = fds.count();
    }
    for (int i = 0; i < 20; i++) assertThat(runtime.run(bundle, "rt-loop")).isEqualTo(WaitStatus.exited(0));
    runtime.awaitStateCleanup();
    try (var fds = Files.list(Path.of("/proc/self/fd"))) {
      assertThat(fds.count()).isEqualTo(fdsBefore);
    }
  }
}
