package dev.tugboat.runtime.cgroups;

/**
 * Converts cgroup v1 {@code cpu.shares} (2..262144, default 1024) to cgroup v2 {@code cpu.weight} (1..10000, default
 * 100) the way runc does since 1.3: a quadratic in log2(shares) chosen so that the ends and the defaults map onto each
 * other (2 to 1, 1024 to 100, 262144 to 10000), which the older linear formula got wrong for the default.
 */
public final class CpuWeight {

    private CpuWeight() {}

    public static long fromShares(long shares) {
        if (shares <= 2) {
            return 1;
        }
        if (shares >= 262144) {
            return 10000;
        }
        double log2 = Math.log(shares) / Math.log(2);
        double exponent = (log2 * log2 + 125 * log2) / 612.0 - 7.0 / 34.0;
        return (long) Math.ceil(Math.pow(10, exponent));
    }
}
