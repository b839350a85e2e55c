package dev.tugboat.runtime.cgroups;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Changes the limits of an existing cgroup (runc update): only the limits given are written, in an order the kernel
 * accepts from the cgroup's current values.
 */
public final class CgroupUpdate {
    private CgroupUpdate() {}

    public static void apply(Cgroup cgroup, CgroupLimits limits) {
        List<CgroupFileWrite> writes = new ArrayList<>(switch (cgroup.version()) {
            case V1 -> CgroupLimitFiles.v1(limits);
            case V2 -> CgroupLimitFiles.v2(limits);
        });
        if (cgroup.version() == CgroupVersion.V1 && limits.memoryLimitBytes() != null && limits.memorySwapBytes() != null
                && raises(cgroup, limits.memoryLimitBytes())) {
            // memory.memsw.limit_in_bytes may never be below memory.limit_in_bytes: raising both, memsw goes first.
            CgroupFileWrite memory = writes.remove(0);
            writes.add(1, memory);
        }
        if (cgroup instanceof CgroupV1 v1 && limits.cpusetCpus() != null && !v1.hasController("cpuset")) {
            // Only cgroups made with a cpuset limit are in the cpuset hierarchy; moving a running container's
            // processes into a new one could miss those it forks meanwhile.
            throw new CgroupException("cpuset.cpus: cgroup " + cgroup.relativePath() + " was made without a cpuset "
                    + "limit, so it is not in the cpuset hierarchy and cannot be limited to CPUs while it runs");
        }
        for (CgroupFileWrite write : writes) {
            CgroupFiles.write(directoryOf(cgroup, write.controller()).resolve(write.file()), write.value());
        }
    }

    private static boolean raises(Cgroup cgroup, long memoryLimit) {
        Long current = CgroupFiles.readLongOrNull(directoryOf(cgroup, "memory").resolve("memory.limit_in_bytes"));
        return current == null || memoryLimit == -1 || memoryLimit > current;
    }

    private static Path directoryOf(Cgroup cgroup, String controller) {
        if (cgroup instanceof CgroupV1 v1) {
            return v1.directoryOf(controller);
        }
        return cgroup.directories().get(0);
    }
}
