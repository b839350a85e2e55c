package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

/**
 * cgroup v2 against the real kernel's unified hierarchy. On these hybrid machines the unified hierarchy is mounted but
 * the cpu, memory and pids controllers are bound to v1, so the limit tests here need a machine that offers them; the
 * core of v2 (membership, cpu.stat, cgroup.kill, removal) is tested everywhere.
 */
class CgroupV2Test {

    private final CgroupMounts mounts = CgroupMounts.read();
    private final CgroupDriver driver = CgroupDriver.forVersion(CgroupVersion.V2, mounts);
    private final Path root = mounts.v2().orElseThrow();
    private final List<Cgroup> created = new ArrayList<>();
    private String name;

    @BeforeEach
    void uniqueName() {
        name = "test-v2-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void nothingLeaked() throws IOException {
        for (Cgroup cgroup : created) {
            cgroup.killAll();
            cgroup.delete();
        }
        Path parent = root.resolve(CgroupDriver.PARENT);
        if (Files.isDirectory(parent)) {
            try (Stream<Path> children = Files.list(parent)) {
                assertThat(children.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(name));
            }
        }
    }

    private Cgroup create(String path, CgroupLimits limits) {
        Cgroup cgroup = driver.create(path, limits);
        created.add(0, cgroup);
        return cgroup;
    }

    private void assumeControllers(String... controllers) {
        List<String> offered = CgroupV2Driver.controllersOf(root);
        assumeTrue(offered.containsAll(List.of(controllers)),
                "the unified hierarchy at " + root + " does not offer " + List.of(controllers) + " (offers " + offered + ")");
    }

    @Test
    void createMakesOneDirectoryInTheUnifiedHierarchy() {
        Cgroup cgroup = create(name, CgroupLimits.NONE);

        assertThat(cgroup.version()).isEqualTo(CgroupVersion.V2);
        assertThat(cgroup.directories()).containsExactly(root.resolve("tugboat").resolve(name));
        assertThat(driver.exists(name)).isTrue();
    }

    @Test
    void aProcessMovedInIsListedAndChargedAndCgroupKillEmptiesTheCgroup() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE);
        try (HeldProcess process = HeldProcess.start(
                "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo worked; busybox sleep 1000 & busybox sleep 1000")) {
            cgroup.addProcess(process.pid());
            process.release();
            assertThat(process.readLine()).isEqualTo("worked");

            assertThat(cgroup.pids()).contains(process.pid());
            assertThat(cgroup.stats().cpuUsageNanos()).isPositive();

            cgroup.killAll();

            assertThat(cgroup.pids()).isEmpty();
            assertThat(process.waitFor()).isEqualTo(137);
        }
        cgroup.delete();
        assertThat(driver.exists(name)).isFalse();
    }

    @Test
    void statsOfControllersTheCgroupLacksAreNull() {
        assumeTrue(!CgroupV2Driver.controllersOf(root).contains("memory"), "memory is enabled in the unified hierarchy");
        Cgroup cgroup = create(name, CgroupLimits.NONE);

        CgroupStats stats = cgroup.stats();

        assertThat(stats.memoryUsageBytes()).isNull();
        assertThat(stats.pidsCurrent()).isNull();
        assertThat(stats.cpuUsageNanos()).isNotNull();
        assertThat(cgroup.oomKilled()).isFalse();
    }

    @Test
    void aLimitWhoseControllerIsNotAvailableIsRefusedNamingItAndNothingIsLeftBehind() {
        assumeTrue(!CgroupV2Driver.controllersOf(root).contains("memory"), "memory is enabled in the unified hierarchy");
        boolean parentExisted = Files.isDirectory(root.resolve("tugboat"));

        assertThatThrownBy(() -> driver.create(name, CgroupLimits.NONE.withMemoryLimitBytes(64L << 20)))
                .isInstanceOf(CgroupException.class)
                .hasMessageStartingWith("cgroup v2: controller memory is not available to " + root.resolve("tugboat").resolve(name))
                .hasMessageEndingWith("so memory.max=67108864 cannot be set");

        assertThat(driver.exists(name)).isFalse();
        assertThat(Files.isDirectory(root.resolve("tugboat"))).isEqualTo(parentExisted);
    }

    @Test
    void limitsAreWrittenToTheirV2Files() {
        assumeControllers("cpu", "memory", "pids");
        Cgroup cgroup = create(name, new CgroupLimits(64L << 20, 96L << 20, 1024L, 20_000L, 50_000L, null, 16L));

        Path dir = cgroup.directories().get(0);
        assertThat(CgroupFiles.read(dir.resolve("memory.max"))).isEqualTo("67108864");
        assertThat(CgroupFiles.read(dir.resolve("memory.swap.max"))).isEqualTo("33554432");
        assertThat(CgroupFiles.read(dir.resolve("cpu.weight"))).isEqualTo("100");
        assertThat(CgroupFiles.read(dir.resolve("cpu.max"))).isEqualTo("20000 50000");
        assertThat(CgroupFiles.read(dir.resolve("pids.max"))).isEqualTo("16");
    }

    @Test
    void aMemoryHogOverTheLimitIsOomKilledAndTheCgroupReportsIt() throws Exception {
        assumeControllers("memory");
        Cgroup cgroup = create(name, CgroupLimits.NONE.withMemoryLimitBytes(16L << 20).withMemorySwapBytes(16L << 20));
        try (HeldProcess process = HeldProcess.start("exec busybox dd if=/dev/zero of=/dev/null bs=64M count=1")) {
            cgroup.addProcess(process.pid());
            process.release();

            assertThat(process.waitFor()).isEqualTo(137);
        }
        assertThat(cgroup.oomKilled()).isTrue();
    }

    @Test
    void aFrozenCgroupRunsOnOnceThawed() throws Exception {
        Cgroup cgroup = create(name, CgroupLimits.NONE);
        try (HeldProcess process = HeldProcess.start("echo resumed; exec busybox sleep 1000")) {
            cgroup.addProcess(process.pid());

            cgroup.freeze();
            Path events = cgroup.directories().get(0).resolve("cgroup.events");
            assertThat(CgroupFiles.readKeyedOrNull(events, "frozen")).isEqualTo(1L);
            // Released while frozen, the shell can only answer once thawed.
            process.release();
            cgroup.thaw();

            assertThat(process.readLine()).isEqualTo("resumed");
        }
    }

    @Test
    void deleteIsIdempotentAndRemovesTheDirectory() {
        Cgroup cgroup = create(name, CgroupLimits.NONE);

        cgroup.delete();
        cgroup.delete();

        assertThat(cgroup.directories().get(0)).doesNotExist();
    }
}
