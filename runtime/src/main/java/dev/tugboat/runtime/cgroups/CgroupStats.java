package dev.tugboat.runtime.cgroups;

/**
 * Usage counters of one cgroup; a field is null when its controller is not enabled for the cgroup, and a limit is
 * null when it is unlimited.
 *
 * @param memoryUsageBytes    memory charged now (v1 memory.usage_in_bytes, v2 memory.current)
 * @param memoryLimitBytes    memory limit (v1 memory.limit_in_bytes, v2 memory.max)
 * @param memoryMaxUsageBytes highest memory charged so far (v1 memory.max_usage_in_bytes, v2 memory.peak)
 * @param cpuUsageNanos       CPU time consumed (v1 cpuacct.usage, v2 cpu.stat usage_usec)
 * @param pidsCurrent         tasks now (pids.current)
 * @param pidsLimit           task limit (pids.max)
 */
public record CgroupStats(
        Long memoryUsageBytes,
        Long memoryLimitBytes,
        Long memoryMaxUsageBytes,
        Long cpuUsageNanos,
        Long pidsCurrent,
        Long pidsLimit) {}
