package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupDriverTest {

    @TempDir
    Path unified;

    private CgroupMounts hybrid(String unifiedControllers) throws IOException {
        Files.writeString(unified.resolve("cgroup.controllers"), unifiedControllers + "\n");
        return new CgroupMounts(Map.of("memory", Path.of("/sys/fs/cgroup/memory")), Optional.of(unified));
    }

    @Test
    void aUnifiedHierarchyOfferingCpuMemoryAndPidsIsUsed() throws IOException {
        assertThat(CgroupDriver.detectVersion(hybrid("cpuset cpu io memory hugetlb pids rdma misc")))
                .isEqualTo(CgroupVersion.V2);
    }

    @Test
    void aUnifiedHierarchyWithOnlySomeControllersLeavesTheMachineOnV1() throws IOException {
        assertThat(CgroupDriver.detectVersion(hybrid("hugetlb"))).isEqualTo(CgroupVersion.V1);
        assertThat(CgroupDriver.detectVersion(hybrid(""))).isEqualTo(CgroupVersion.V1);
    }

    @Test
    void aUnifiedOnlyMachineUsesV2EvenWithoutControllers() throws IOException {
        Files.writeString(unified.resolve("cgroup.controllers"), "\n");

        assertThat(CgroupDriver.detectVersion(new CgroupMounts(Map.of(), Optional.of(unified))))
                .isEqualTo(CgroupVersion.V2);
    }

    @Test
    void noHierarchyAtAllIsAnError() {
        assertThatThrownBy(() -> CgroupDriver.detectVersion(new CgroupMounts(Map.of(), Optional.empty())))
                .isInstanceOf(CgroupException.class).hasMessageContaining("no cgroup hierarchy is mounted");
    }

    @Test
    void forcingAVersionTheMachineDoesNotMountIsAnError() {
        assertThatThrownBy(() -> CgroupDriver.forVersion(CgroupVersion.V1, new CgroupMounts(Map.of(), Optional.of(unified))))
                .isInstanceOf(CgroupException.class).hasMessageContaining("cgroup v1: no controller hierarchy is mounted");
        assertThatThrownBy(() -> CgroupDriver.forVersion(CgroupVersion.V2, new CgroupMounts(Map.of("memory", unified), Optional.empty())))
                .isInstanceOf(CgroupException.class).hasMessageContaining("cgroup v2: the unified hierarchy is not mounted");
    }

    @Test
    void thisHybridMachineIsDrivenThroughV1() {
        assertThat(CgroupDriver.detect().version()).isEqualTo(CgroupVersion.V1);
    }
}
