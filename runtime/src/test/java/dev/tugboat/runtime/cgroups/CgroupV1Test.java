package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** cgroup v1 against the real kernel: these machines mount every controller in its own v1 hierarchy. */
class CgroupV1Test {

    private final CgroupDriver driver = CgroupDriver.forVersion(CgroupVersion.V1);
    private final CgroupMounts mounts = CgroupMounts.read();
    private final List<Cgroup> created = new ArrayList<>();
    private String name;

    @BeforeEach
    void uniqueName() {
        name = "test-v1-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void nothingLeaked() throws IOException {
        for (Cgroup cgroup : created) {
            cgroup.killAll();
            cgroup.delete();
        }
        for (Path mount : mounts.v1().values()) {
            Path parent = mount.resolve(CgroupDriver.PARENT);
            if (Files.isDirectory(parent)) {
                try (Stream<Path> children = Files.list(parent)) {
                    assertThat(children.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(name));
                }
            }
        }
    }

    private Cgroup create(String path, CgroupLimits limits) {
        Cgroup cgroup = driver.create(path, limits);
        created.add(0, cgroup);
        return cgroup;
    }

    @Test
    void createMakesTheCgroupUnderTheTugboatParentInTheHierarchiesOfStatsPauseAndCpuOnly() {
        Cgroup cgroup = create(name, CgroupLimits.NONE);

        assertThat(cgroup.version()).isEqualTo(CgroupVersion.V1);
        mounts.v1().forEach((controller, mount) -> {
            Path dir = mount.resolve("tugboat").resolve(name);
            if (CgroupV1Driver.V1_CONTROLLERS.contains(controller)) {
                assertThat(dir).isDirectory();
                assertThat(cgroup.directories()).contains(dir);
            } else {
                assertThat(dir).doesNotExist();
            }
        });
        assertThat(driver.exists(name)).isTrue();
        assertThat(driver.open(name).directories()).containsExactlyInAnyOrderElementsOf(cgroup.directories());
    }

    @Test
    void aCpusetLimitAddsTheCpusetHierarchy() {
        Cgroup cgroup = create(name, CgroupLimits.NONE.withCpusetCpus("0"));

        Path cpuset = mounts.v1().get("cpuset").resolve("tugboat").resolve(name);
        assertThat(cgroup.directories()).contains(cpuset);
        assertThat(driver.open(name).directories()).contains(cpuset);
    }

    @Test
    void limitsAreWrittenToTheirV1Files() {
        Cgroup cgroup = create(name, new CgroupLimits(64L << 20, 64L << 20, 512L, 20_000L, 50_000L, "0", 16L));

        Path memory = mounts.v1().get("memory").resolve("tugboat").resolve(name);
        Path cpu = mounts.v1().get("cpu").resolve("tugboat").resolve(name);
        Path cpuset = mounts.v1().get("cpuset").resolve("tugboat").resolve(name);
        Path pids = mounts.v1().get("pids").resolve("tugboat").resolve(name);
        assertThat(CgroupFiles.read(memory.resolve("memory.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(CgroupFiles.read(memory.resolve("memory.memsw.limit_in_bytes"))).isEqualTo("67108864");
        assertThat(CgroupFiles.read(cpu.resolve("cpu.shares"))).isEqualTo("512");
        assertThat(CgroupFiles.read(cpu.resolve("cpu.cfs_quota_us"))).isEqualTo("20000");
        assertThat(CgroupFiles.read(cpu.resolve("cpu.cfs_period_us"))).isEqualTo("50000");
        assertThat(CgroupFiles.read(cpuset.resolve("cpuset.cpus"))).isEqualTo("0");
        assertThat(CgroupFiles.read(cpuset.resolve("cpuset.mems")))
                .isEqualTo(CgroupFiles.read(cpuset.getParent().resolve("cpuset.mems")));
        assertThat(CgroupFiles.read(pids.resolve("pids.max"))).isEqualTo("16");
        assertThat(cgroup.stats().memoryLimitBytes()).isEqualTo(64L << 20);
        assertThat(cgroup.stats().pidsLimit()).isEqualTo(16L);
    }

    @Test
    void nestedPathsCreateTheirAncestorsAndDeleteRemovesOnlyTheLeaf() {
        Cgroup pod = create(name + "/ctr", CgroupLimits.NONE.withPidsLimit(8L));

        assertThat(driver.exists(name)).isTrue();
        pod.delete();
        assertThat(driver.exists(name + "/ctr")).isFalse();
        assertThat(driver.exists(name)).isTrue();
        driver.open(name).delete();
        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void anAncestorMadeByAPlainMkdirGetsTheCpusetItNeedsToHoldTasks() throws Exception {
        // A v1 cpuset made by mkdir alone has no CPUs and refuses tasks (ENOSPC); create fills in every level.
        Path plain = Files.createDirectories(mounts.v1().get("cpuset").resolve("tugboat").resolve(name));
        assertThat(CgroupFiles.read(plain.resolve("cpuset.cpus"))).isEmpty();
        // Only a cgroup with a cpuset limit is made in the cpuset hierarchy.
        Cgroup cgroup = create(name + "/ctr", CgroupLimits.NONE.withCpusetCpus("0"));
        created.add(driver.open(name));

        try (HeldProcess process = HeldProcess.start("exec busybox sleep 1000")) {
            cgroup.addProcess(process.pid());
            assertThat(cgroup.pids()).containsExactly(process.pid());
        }
        assertThat(CgroupFiles.read(plain.resolve("cpuset.cpus")))
                .isEqualTo(CgroupFiles.read(plain.getParent().resolve("cpuset.cpus")));
    }

    @Test
    void aProcessMovedInIsListedAndChargedAndKillAllEmptiesTheCgroup() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE);
        try (HeldProcess process = HeldProcess.start(
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; head -c 4000000 /dev/zero | tail -c 1 >/dev/null; "
                        + "echo worked; exec busybox sleep 1000")) {
            cgroup.addProcess(process.pid());
            assertThat(cgroup.pids()).containsExactly(process.pid());
            process.release();
            assertThat(process.readLine()).isEqualTo("worked");

            CgroupStats stats = cgroup.stats();
            assertThat(stats.cpuUsageNanos()).isPositive();
            assertThat(stats.memoryMaxUsageBytes()).isPositive();
            assertThat(stats.memoryUsageBytes()).isPositive();
            assertThat(stats.pidsCurrent()).isEqualTo(1L);
            assertThat(stats.memoryLimitBytes()).isNull();
            assertThat(stats.pidsLimit()).isNull();

            cgroup.killAll();
            assertThat(cgroup.pids()).isEmpty();
            assertThat(process.waitFor()).isEqualTo(137);
        }
        assertThat(cgroup.oomKilled()).isFalse();
        cgroup.delete();
        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void aMemoryHogOverTheLimitIsOomKilledAndTheCgroupReportsIt() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE.withMemoryLimitBytes(16L << 20).withMemorySwapBytes(16L << 20));
        try (HeldProcess process = HeldProcess.start("exec busybox dd if=/dev/zero of=/dev/null bs=64M count=1")) {
            cgroup.addProcess(process.pid());
            assertThat(cgroup.oomKilled()).isFalse();
            process.release();

            assertThat(process.waitFor()).isEqualTo(137);
        }
        assertThat(cgroup.oomKilled()).isTrue();
        assertThat(cgroup.stats().memoryMaxUsageBytes()).isLessThanOrEqualTo(16L << 20);
    }

    @Test
    void aForkBombStopsAtPidsMax() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE.withPidsLimit(10L));
        try (HeldProcess process = HeldProcess.start(
                "i=0; while [ $i -lt 100 ]; do busybox sleep 1000 & i=$((i+1)); done; echo all forked")) {
            cgroup.addProcess(process.pid());
            process.release();

            process.waitFor();
            assertThat(cgroup.stats().pidsCurrent()).isBetween(1L, 10L);
            assertThat(CgroupFiles.readKeyedOrNull(cgroup.directories().stream()
                    .filter(d -> d.startsWith(mounts.v1().get("pids"))).findFirst().orElseThrow()
                    .resolve("pids.events"), "max")).isPositive();

            cgroup.killAll();
            assertThat(cgroup.pids()).isEmpty();
            // read only now: the sleeps the shell forked hold its output pipe open until they are killed
            assertThat(process.output()).contains("can't fork").doesNotContain("all forked");
        }
    }

    @Test
    void killAllKillsProcessesForkingWhileItRuns() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE.withPidsLimit(50L));
        try (HeldProcess process = HeldProcess.start("while true; do busybox sleep 1000 & done")) {
            cgroup.addProcess(process.pid());
            process.release();
            awaitPidCount(cgroup, 10);

            cgroup.killAll();

            assertThat(cgroup.pids()).isEmpty();
        }
        cgroup.delete();
        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void aFrozenCgroupRunsOnOnceThawed() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE);
        try (HeldProcess process = HeldProcess.start("echo resumed; exec busybox sleep 1000")) {
            cgroup.addProcess(process.pid());

            cgroup.freeze();
            Path state = mounts.v1().get("freezer").resolve("tugboat").resolve(name).resolve("freezer.state");
            assertThat(CgroupFiles.read(state)).isEqualTo("FROZEN");
            // Released while frozen, the shell can only answer once thawed.
            process.release();
            cgroup.thaw();

            assertThat(process.readLine()).isEqualTo("resumed");
        }
    }

    @Test
    void deleteIsIdempotent() {
        Cgroup cgroup = create(name, CgroupLimits.NONE);

        cgroup.delete();
        cgroup.delete();

        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void deleteOfACgroupWithAProcessFailsNamingThePathAndErrno() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE);
        try (HeldProcess process = HeldProcess.start("true")) {
            cgroup.addProcess(process.pid());
            // The process stays until killed, so waiting would not help: delete fails at once.
            assertThatThrownBy(cgroup::delete)
                    .isInstanceOf(CgroupException.class)
                    .hasMessageContaining("rmdir /sys/fs/cgroup/")
                    .hasMessageContaining("tugboat/" + name + ": EBUSY (Device or resource busy)")
                    .hasMessageContaining("processes still in it: [" + process.pid() + "]");
        }
    }

    @Test
    void aRefusedLimitIsNamedWithItsFileAndValueAndNothingIsLeftBehind() {
        // A CPU that does not exist: the kernel refuses the cpuset with ERANGE after the memory file took its limit.
        assertThatThrownBy(() -> driver.create(name, CgroupLimits.NONE.withMemoryLimitBytes(64L << 20).withCpusetCpus("4095")))
                .isInstanceOf(CgroupException.class)
                .hasMessage("write \"4095\" to /sys/fs/cgroup/cpuset/tugboat/" + name
                        + "/cpuset.cpus: ERANGE (Numerical result out of range)");

        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void createOfAnExistingCgroupIsRefused() {
        create(name, CgroupLimits.NONE);

        assertThatThrownBy(() -> driver.create(name, CgroupLimits.NONE))
                .isInstanceOf(CgroupException.class)
                .hasMessageContaining("tugboat/" + name + ": EEXIST");
        assertThat(driver.exists(name)).isTrue();
    }

    @Test
    void pathsThatLeaveTheParentAreRefused() {
        assertThatThrownBy(() -> driver.create("../escape", CgroupLimits.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"..\"");
        assertThatThrownBy(() -> driver.create("/abs", CgroupLimits.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void openFindsAnExistingCgroupAndFailsForAMissingOne() {
        create(name, CgroupLimits.NONE.withPidsLimit(5L));

        assertThat(driver.open(name).stats().pidsLimit()).isEqualTo(5L);
        assertThat(driver.find(name)).isPresent();
        assertThat(driver.find(name + "-missing")).isEmpty();
        assertThatThrownBy(() -> driver.open(name + "-missing"))
                .isInstanceOf(CgroupException.class).hasMessageContaining("exists in no hierarchy");
    }

    static void awaitPidCount(Cgroup cgroup, int count) throws InterruptedException {
        while (cgroup.pids().size() < count) {
            Thread.sleep(5);
        }
    }
}
