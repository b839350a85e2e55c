package dev.tugboat.runtime.cgroups;

import java.util.ArrayList;
import java.util.List;

/** The control-file writes that apply {@link CgroupLimits}, in the order the kernel accepts them. */
public final class CgroupLimitFiles {

    private static final long DEFAULT_CPU_PERIOD_MICROS = 100_000;

    private CgroupLimitFiles() {}

    public static List<CgroupFileWrite> v1(CgroupLimits limits) {
        List<CgroupFileWrite> writes = new ArrayList<>();
        // The memory limit goes first: memsw must never be below it.
        if (limits.memoryLimitBytes() != null) {
            writes.add(new CgroupFileWrite("memory", "memory.limit_in_bytes", Long.toString(limits.memoryLimitBytes())));
        }
        if (limits.memorySwapBytes() != null) {
            writes.add(new CgroupFileWrite("memory", "memory.memsw.limit_in_bytes", Long.toString(limits.memorySwapBytes())));
        }
        if (limits.cpuShares() != null) {
            writes.add(new CgroupFileWrite("cpu", "cpu.shares", Long.toString(limits.cpuShares())));
        }
        // The period first, so a quota is checked against the period it is meant for.
        if (limits.cpuPeriodMicros() != null) {
            writes.add(new CgroupFileWrite("cpu", "cpu.cfs_period_us", Long.toString(limits.cpuPeriodMicros())));
        }
        if (limits.cpuQuotaMicros() != null) {
            writes.add(new CgroupFileWrite("cpu", "cpu.cfs_quota_us", Long.toString(limits.cpuQuotaMicros())));
        }
        if (limits.cpusetCpus() != null) {
            writes.add(new CgroupFileWrite("cpuset", "cpuset.cpus", limits.cpusetCpus()));
        }
        if (limits.pidsLimit() != null) {
            writes.add(new CgroupFileWrite("pids", "pids.max", pidsMax(limits.pidsLimit())));
        }
        return writes;
    }

    public static List<CgroupFileWrite> v2(CgroupLimits limits) {
        List<CgroupFileWrite> writes = new ArrayList<>();
        if (limits.memoryLimitBytes() != null) {
            writes.add(new CgroupFileWrite("memory", "memory.max", maxOrNumber(limits.memoryLimitBytes())));
        }
        if (limits.memorySwapBytes() != null) {
            // v2 limits swap alone; OCI gives memory plus swap.
            long swap = limits.memorySwapBytes();
            String value = swap == -1 ? "max" : Long.toString(swap - limits.memoryLimitBytes());
            writes.add(new CgroupFileWrite("memory", "memory.swap.max", value));
        }
        if (limits.cpuShares() != null) {
            writes.add(new CgroupFileWrite("cpu", "cpu.weight", Long.toString(CpuWeight.fromShares(limits.cpuShares()))));
        }
        if (limits.cpuQuotaMicros() != null || limits.cpuPeriodMicros() != null) {
            Long quota = limits.cpuQuotaMicros();
            String quotaText = quota == null || quota == -1 ? "max" : Long.toString(quota);
            long period = limits.cpuPeriodMicros() == null ? DEFAULT_CPU_PERIOD_MICROS : limits.cpuPeriodMicros();
            writes.add(new CgroupFileWrite("cpu", "cpu.max", quotaText + " " + period));
        }
        if (limits.cpusetCpus() != null) {
            writes.add(new CgroupFileWrite("cpuset", "cpuset.cpus", limits.cpusetCpus()));
        }
        if (limits.pidsLimit() != null) {
            writes.add(new CgroupFileWrite("pids", "pids.max", pidsMax(limits.pidsLimit())));
        }
        return writes;
    }

    private static String pidsMax(long limit) {
        return limit <= 0 ? "max" : Long.toString(limit);
    }

    private static String maxOrNumber(long value) {
        return value == -1 ? "max" : Long.toString(value);
    }
}
