package dev.tugboat.runtime.cgroups;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuWeightTest {

    @Test
    void defaultsAndEndsOfTheRangesMapOntoEachOther() {
        assertThat(CpuWeight.fromShares(2)).isEqualTo(1);
        assertThat(CpuWeight.fromShares(1024)).isEqualTo(100);
        assertThat(CpuWeight.fromShares(262144)).isEqualTo(10000);
    }

    @Test
    void valuesOutsideTheV1RangeAreClamped() {
        assertThat(CpuWeight.fromShares(1)).isEqualTo(1);
        assertThat(CpuWeight.fromShares(1_000_000)).isEqualTo(10000);
    }

    @Test
    void weightGrowsWithShares() {
        long previous = 0;
        for (long shares = 2; shares <= 262144; shares += 97) {
            long weight = CpuWeight.fromShares(shares);
            assertThat(weight).isBetween(1L, 10000L).isGreaterThanOrEqualTo(previous);
            previous = weight;
        }
    }

    @Test
    void kubernetesMilliCpuSharesGetTheirRuncWeights() {
        // 100m and 500m CPU requests become 102 and 512 shares in the kubelet.
        assertThat(CpuWeight.fromShares(102)).isEqualTo(17);
        assertThat(CpuWeight.fromShares(512)).isEqualTo(59);
    }
}
