package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CgroupLimitsTest {

    @Test
    void noneLeavesEveryLimitUnset() {
        assertThat(CgroupLimits.NONE).isEqualTo(new CgroupLimits(null, null, null, null, null, null, null));
    }

    @Test
    void memoryPlusSwapBelowTheMemoryLimitIsRefusedNamingBothFields() {
        assertThatThrownBy(() -> CgroupLimits.NONE.withMemoryLimitBytes(200L).withMemorySwapBytes(100L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memorySwapBytes: memory+swap limit 100 is below memoryLimitBytes 200");
    }

    @Test
    void memoryPlusSwapLimitNeedsAMemoryLimit() {
        assertThatThrownBy(() -> CgroupLimits.NONE.withMemorySwapBytes(100L))
                .hasMessageContaining("needs a memoryLimitBytes limit");
    }

    @Test
    void unlimitedSwapNeedsNoMemoryLimit() {
        assertThat(CgroupLimits.NONE.withMemorySwapBytes(-1L).memorySwapBytes()).isEqualTo(-1L);
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheField() {
        assertThatThrownBy(() -> CgroupLimits.NONE.withCpuShares(1L)).hasMessageStartingWith("cpuShares:");
        assertThatThrownBy(() -> CgroupLimits.NONE.withCpuQuota(10L, null)).hasMessageStartingWith("cpuQuotaMicros:");
        assertThatThrownBy(() -> CgroupLimits.NONE.withCpuQuota(null, 10L)).hasMessageStartingWith("cpuPeriodMicros:");
        assertThatThrownBy(() -> CgroupLimits.NONE.withMemoryLimitBytes(-2L)).hasMessageStartingWith("memoryLimitBytes:");
        assertThatThrownBy(() -> CgroupLimits.NONE.withCpusetCpus("0-1;3")).hasMessageStartingWith("cpusetCpus:");
    }

    @Test
    void zeroLeavesMemoryAndCpuLimitsUnsetAsRuncReadsABundle() {
        assertThat(new CgroupLimits(0L, 0L, 0L, 0L, 0L, null, null)).isEqualTo(CgroupLimits.NONE);
    }

    @Test
    void cpuListsInKernelFormatAreAccepted() {
        assertThat(CgroupLimits.NONE.withCpusetCpus("0-1,3,5-7").cpusetCpus()).isEqualTo("0-1,3,5-7");
    }
}
