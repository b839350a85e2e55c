package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CgroupLimitFilesTest {

    private static final CgroupLimits ALL = new CgroupLimits(
            64L << 20, 128L << 20, 512L, 50_000L, 100_000L, "0", 32L);

    @Test
    void noLimitsWriteNothing() {
        assertThat(CgroupLimitFiles.v1(CgroupLimits.NONE)).isEmpty();
        assertThat(CgroupLimitFiles.v2(CgroupLimits.NONE)).isEmpty();
    }

    @Test
    void v1WritesEachLimitToItsControllerFileMemoryBeforeSwapAndPeriodBeforeQuota() {
        assertThat(CgroupLimitFiles.v1(ALL)).containsExactly(
                new CgroupFileWrite("memory", "memory.limit_in_bytes", "67108864"),
                new CgroupFileWrite("memory", "memory.memsw.limit_in_bytes", "134217728"),
                new CgroupFileWrite("cpu", "cpu.shares", "512"),
                new CgroupFileWrite("cpu", "cpu.cfs_period_us", "100000"),
                new CgroupFileWrite("cpu", "cpu.cfs_quota_us", "50000"),
                new CgroupFileWrite("cpuset", "cpuset.cpus", "0"),
                new CgroupFileWrite("pids", "pids.max", "32"));
    }

    @Test
    void v2LimitsSwapAloneConvertsSharesToWeightAndJoinsQuotaAndPeriod() {
        assertThat(CgroupLimitFiles.v2(ALL)).containsExactly(
                new CgroupFileWrite("memory", "memory.max", "67108864"),
                new CgroupFileWrite("memory", "memory.swap.max", "67108864"),
                new CgroupFileWrite("cpu", "cpu.weight", Long.toString(CpuWeight.fromShares(512))),
                new CgroupFileWrite("cpu", "cpu.max", "50000 100000"),
                new CgroupFileWrite("cpuset", "cpuset.cpus", "0"),
                new CgroupFileWrite("pids", "pids.max", "32"));
    }

    @Test
    void unlimitedValuesAreMinusOneInV1AndMaxInV2() {
        CgroupLimits unlimited = new CgroupLimits(-1L, -1L, null, -1L, null, null, -1L);

        assertThat(CgroupLimitFiles.v1(unlimited)).containsExactly(
                new CgroupFileWrite("memory", "memory.limit_in_bytes", "-1"),
                new CgroupFileWrite("memory", "memory.memsw.limit_in_bytes", "-1"),
                new CgroupFileWrite("cpu", "cpu.cfs_quota_us", "-1"),
                new CgroupFileWrite("pids", "pids.max", "max"));
        assertThat(CgroupLimitFiles.v2(unlimited)).containsExactly(
                new CgroupFileWrite("memory", "memory.max", "max"),
                new CgroupFileWrite("memory", "memory.swap.max", "max"),
                new CgroupFileWrite("cpu", "cpu.max", "max 100000"),
                new CgroupFileWrite("pids", "pids.max", "max"));
    }

    @Test
    void v2QuotaWithoutPeriodUsesTheKernelDefaultPeriod() {
        assertThat(CgroupLimitFiles.v2(CgroupLimits.NONE.withCpuQuota(25_000L, null)))
                .containsExactly(new CgroupFileWrite("cpu", "cpu.max", "25000 100000"));
    }

    @Test
    void v2PeriodWithoutQuotaKeepsTheQuotaUnlimited() {
        assertThat(CgroupLimitFiles.v2(CgroupLimits.NONE.withCpuQuota(null, 50_000L)))
                .containsExactly(new CgroupFileWrite("cpu", "cpu.max", "max 50000"));
    }
}
