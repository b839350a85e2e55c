package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** pause, resume, update and the counters of events on the machine's real cgroups (freezer included). */
@ExtendWith(NoLeaks.class)
// A guard against a hang (tests wait for container output without deadlines), not a performance bound.
@org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES,
    threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ContainerPauseUpdateTest {
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

  private void running(String id, String... args) throws Exception {
    runtime.create(id, TestBundles.bundle(tmp.resolve(id), args), CreateOptions.defaults());
    runtime.start(id);
  }

  private static String freezerState(String id) throws Exception {
    return Files.readString(Path.of("/sys/fs/cgroup/freezer/tugboat", id, "freezer.state")).trim();
  }

  @Test
  void pauseFreezesTheContainerAndResumeThawsIt() throws Exception {
    running("rtcli-pause", "sleep", "100");
    runtime.pause("rtcli-pause");
    assertThat(runtime.state("rtcli-pause").status()).isEqualTo(ContainerStatus.PAUSED);
    assertThat(runtime.state("rtcli-pause").toJson()).contains("\"status\" : \"paused\"");
    if (Files.isDirectory(Path.of("/sys/fs/cgroup/freezer"))) assertThat(freezerState("rtcli-pause")).isEqualTo("FROZEN");
    runtime.resume("rtcli-pause");
    assertThat(runtime.state("rtcli-pause").status()).isEqualTo(ContainerStatus.RUNNING);
    if (Files.isDirectory(Path.of("/sys/fs/cgroup/freezer"))) assertThat(freezerState("rtcli-pause")).isEqualTo("THAWED");
  }

  @Test
  void pauseAndResumeRefuseTheWrongStateWithRuncsWords() throws Exception {
    runtime.create("rtcli-created", TestBundles.bundle(tmp.resolve("b"), "sleep", "100"), CreateOptions.defaults());
    assertThatThrownBy(() -> runtime.pause("rtcli-created")).hasMessage("container \"rtcli-created\" is not running");
    assertThatThrownBy(() -> runtime.resume("rtcli-created")).hasMessage("container \"rtcli-created\" is not paused");
    runtime.start("rtcli-created");
    runtime.pause("rtcli-created");
    assertThatThrownBy(() -> runtime.pause("rtcli-created")).hasMessage("container \"rtcli-created\" is not running");
  }

  @Test
  void sigkillEndsAPausedContainerWithoutAResume() throws Exception {
    running("rtcli-pause-kill", "sleep", "100");
    runtime.pause("rtcli-pause-kill");
    runtime.kill("rtcli-pause-kill", Linux.SIGKILL, false);
    assertThat(runtime.awaitExit("rtcli-pause-kill")).contains(WaitStatus.signaled(Linux.SIGKILL));
    assertThat(runtime.state("rtcli-pause-kill").status()).isEqualTo(ContainerStatus.STOPPED);
    runtime.delete("rtcli-pause-kill", false);
  }

  @Test
  void deleteOfAPausedContainerNeedsForceAndThenRemovesItAndItsCgroup() throws Exception {
    running("rtcli-pause-delete", "sh", "-c", "sleep 100 & sleep 100");
    runtime.pause("rtcli-pause-delete");
    assertThatThrownBy(() -> runtime.delete("rtcli-pause-delete", false))
        .hasMessage("container \"rtcli-pause-delete\": cannot delete a container that is paused (use --force)");
    runtime.delete("rtcli-pause-delete", true);
    assertThat(runtime.list()).isEmpty();
    assertThat(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-pause-delete")).doesNotExist();
  }

  @Test
  void updateWritesOnlyTheLimitsGiven() throws Exception {
    running("rtcli-update", "sleep", "100");
    Path cpu = Path.of("/sys/fs/cgroup/cpu/tugboat/rtcli-update");
    String sharesBefore = Files.readString(cpu.resolve("cpu.shares")).trim();
    runtime.update("rtcli-update", new ResourceLimits(64L << 20, null, null, 50_000L, 100_000L, null, 50L));
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/tugboat/rtcli-update/memory.limit_in_bytes")).trim())
        .isEqualTo(Long.toString(64L << 20));
    assertThat(Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim()).isEqualTo("50000");
    assertThat(Files.readString(Path.of("/sys/fs/cgroup/pids/tugboat/rtcli-update/pids.max")).trim()).isEqualTo("50");
    assertThat(Files.readString(cpu.resolve("cpu.shares")).trim()).isEqualTo(sharesBefore);
    // Raising memory together with memory+swap: memsw must go first, or the kernel refuses the memory limit.
    if (Files.exists(Path.of("/sys/fs/cgroup/memory/tugboat/rtcli-update/memory.memsw.limit_in_bytes"))) {
      runtime.update("rtcli-update", new ResourceLimits(64L << 20, 64L << 20, null, null, null, null, null));
      runtime.update("rtcli-update", new ResourceLimits(128L << 20, 128L << 20, null, null, null, null, null));
      assertThat(Files.readString(Path.of("/sys/fs/cgroup/memory/tugboat/rtcli-update/memory.memsw.limit_in_bytes"))
          .trim()).isEqualTo(Long.toString(128L << 20));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void usageReportsCpuMemoryAndPidsInRuncsShape() throws Exception {
    running("rtcli-usage", "sleep", "100");
    CgroupUsage usage = runtime.usage("rtcli-usage");
    assertThat(usage.pids()).containsEntry("current", 1L);
    assertThat(usage.cpu()).containsKeys("usage", "throttling");
    assertThat((Map<String, Object>) usage.cpu().get("usage")).containsKeys("total", "percpu", "kernel", "user");
    assertThat(usage.memory()).containsKeys("usage", "raw");
    assertThat((Map<String, Object>) usage.memory().get("usage")).containsKeys("limit", "usage", "max", "failcnt");
    assertThat(usage.oomKills()).isZero();
  }

  @Test
  void watchOomTellsWhenTheContainersCgroupRunsOutOfMemoryAndWhenItIsGone() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("oom"), spec -> {
      tools.jackson.databind.node.ObjectNode memory = ((tools.jackson.databind.node.ObjectNode) spec.get("linux"))
          .putObject("resources").putObject("memory");
      memory.put("limit", 16L << 20);
      memory.put("swap", 16L << 20);
    }, "sh", "-c", "dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 100");
    runtime.create("rtcli-oom-watch", bundle, CreateOptions.defaults());
    // Watched before start, so the memory hog cannot run out of memory unseen.
    try (OomWatch oom = runtime.watchOom("rtcli-oom-watch")) {
      assertThat(oom.await(java.time.Duration.ofMillis(50))).as("nothing ran yet").isZero();
      runtime.start("rtcli-oom-watch");
      long told = 0;
      while (told == 0) told = oom.await(java.time.Duration.ofMinutes(1));
      assertThat(told).isPositive();
      assertThat(oom.gone()).isFalse();
      runtime.delete("rtcli-oom-watch", true);
      runtime.awaitStateCleanup();
      assertThat(oom.gone()).isTrue();
      assertThat(oom.await(java.time.Duration.ofMillis(50))).isZero();
    }
  }
}
