package dev.tugboat.runtime.cgroups;

/**
 * Resource limits of one cgroup, with the meanings of the OCI runtime spec's {@code linux.resources}; null leaves a
 * limit unset (inherited from the parent), and so does 0 for the memory and cpu fields, as runc reads a bundle.
 *
 * @param memoryLimitBytes memory limit; -1 for unlimited
 * @param memorySwapBytes  memory plus swap limit (OCI and cgroup v1 meaning, not swap alone); -1 for unlimited;
 *                         needs a memory limit no larger than it
 * @param cpuShares        relative CPU weight in cgroup v1 units (2..262144, default 1024)
 * @param cpuQuotaMicros   CPU time allowed per period; -1 for unlimited
 * @param cpuPeriodMicros  length of the CPU quota period
 * @param cpusetCpus       CPUs the processes may run on, in cpuset list format ("0-1,3")
 * @param pidsLimit        maximum number of tasks; -1 or 0 for unlimited
 */
public record CgroupLimits(
        Long memoryLimitBytes,
        Long memorySwapBytes,
        Long cpuShares,
        Long cpuQuotaMicros,
        Long cpuPeriodMicros,
        String cpusetCpus,
        Long pidsLimit) {

    public static final CgroupLimits NONE = new CgroupLimits(null, null, null, null, null, null, null);

    public CgroupLimits {
        memoryLimitBytes = zeroIsUnset(memoryLimitBytes);
        memorySwapBytes = zeroIsUnset(memorySwapBytes);
        cpuShares = zeroIsUnset(cpuShares);
        cpuQuotaMicros = zeroIsUnset(cpuQuotaMicros);
        cpuPeriodMicros = zeroIsUnset(cpuPeriodMicros);
        if (memoryLimitBytes != null && memoryLimitBytes != -1 && memoryLimitBytes < 0) {
            throw new IllegalArgumentException("memoryLimitBytes: must be positive or -1, was " + memoryLimitBytes);
        }
        if (memorySwapBytes != null && memorySwapBytes != -1) {
            if (memoryLimitBytes == null || memoryLimitBytes == -1) {
                throw new IllegalArgumentException("memorySwapBytes: a memory+swap limit needs a memoryLimitBytes limit");
            }
            if (memorySwapBytes < memoryLimitBytes) {
                throw new IllegalArgumentException("memorySwapBytes: memory+swap limit " + memorySwapBytes
                        + " is below memoryLimitBytes " + memoryLimitBytes);
            }
        }
        if (cpuShares != null && (cpuShares < 2 || cpuShares > 262144)) {
            throw new IllegalArgumentException("cpuShares: must be within 2..262144, was " + cpuShares);
        }
        if (cpuQuotaMicros != null && cpuQuotaMicros != -1 && cpuQuotaMicros < 1000) {
            throw new IllegalArgumentException("cpuQuotaMicros: must be at least 1000 or -1, was " + cpuQuotaMicros);
        }
        if (cpuPeriodMicros != null && (cpuPeriodMicros < 1000 || cpuPeriodMicros > 1_000_000)) {
            throw new IllegalArgumentException("cpuPeriodMicros: must be within 1000..1000000, was " + cpuPeriodMicros);
        }
        if (cpusetCpus != null && !cpusetCpus.matches("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*")) {
            throw new IllegalArgumentException("cpusetCpus: not a cpu list such as \"0-1,3\": \"" + cpusetCpus + "\"");
        }
    }

    private static Long zeroIsUnset(Long value) {
        return value != null && value == 0 ? null : value;
    }

    public CgroupLimits withMemoryLimitBytes(Long value) {
        return new CgroupLimits(value, memorySwapBytes, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus, pidsLimit);
    }

    public CgroupLimits withMemorySwapBytes(Long value) {
        return new CgroupLimits(memoryLimitBytes, value, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus, pidsLimit);
    }

    public CgroupLimits withCpuShares(Long value) {
        return new CgroupLimits(memoryLimitBytes, memorySwapBytes, value, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus, pidsLimit);
    }

    public CgroupLimits withCpuQuota(Long quotaMicros, Long periodMicros) {
        return new CgroupLimits(memoryLimitBytes, memorySwapBytes, cpuShares, quotaMicros, periodMicros, cpusetCpus, pidsLimit);
    }

    public CgroupLimits withCpusetCpus(String value) {
        return new CgroupLimits(memoryLimitBytes, memorySwapBytes, cpuShares, cpuQuotaMicros, cpuPeriodMicros, value, pidsLimit);
    }

    public CgroupLimits withPidsLimit(Long value) {
        return new CgroupLimits(memoryLimitBytes, memorySwapBytes, cpuShares, cpuQuotaMicros, cpuPeriodMicros, cpusetCpus, value);
    }
}
