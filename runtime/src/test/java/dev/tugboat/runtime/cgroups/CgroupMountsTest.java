package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CgroupMountsTest {

    private static final String HYBRID = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:12 - cgroup cgroup rw,cpuset,clone_children
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;

    @Test
    void hybridMachineListsEachV1ControllerAtItsMountPointAndTheUnifiedMount() {
        CgroupMounts mounts = CgroupMounts.parse(HYBRID);

        assertThat(mounts.v1()).isEqualTo(Map.of(
                "cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
                "cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
                "cpuset", Path.of("/sys/fs/cgroup/cpuset"),
                "memory", Path.of("/sys/fs/cgroup/memory"),
                "pids", Path.of("/sys/fs/cgroup/pids")));
        assertThat(mounts.v2()).contains(Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void namedHierarchiesAndMountFlagsAreNotControllers() {
        CgroupMounts mounts = CgroupMounts.parse(HYBRID);

        assertThat(mounts.v1()).doesNotContainKeys("name=systemd", "rw", "xattr", "clone_children");
    }

    @Test
    void unifiedOnlyMachineHasNoV1Controllers() {
        CgroupMounts mounts = CgroupMounts.parse(
                "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");

        assertThat(mounts.v1()).isEmpty();
        assertThat(mounts.v2()).contains(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void octalEscapesInMountPointsAreDecoded() {
        CgroupMounts mounts = CgroupMounts.parse(
                "41 31 0:38 / /mnt/my\\040cgroups rw,relatime - cgroup2 cgroup2 rw\n");

        assertThat(mounts.v2()).contains(Path.of("/mnt/my cgroups"));
    }

    @Test
    void noCgroupMountsMeansNothingFound() {
        CgroupMounts mounts = CgroupMounts.parse("22 1 8:1 / / rw,relatime - ext4 /dev/vda rw\n");

        assertThat(mounts).isEqualTo(new CgroupMounts(Map.of(), Optional.empty()));
    }

    @Test
    void thisMachineMountsTheMemoryControllerInAV1Hierarchy() {
        assertThat(CgroupMounts.read().v1()).containsKey("memory");
    }
}
