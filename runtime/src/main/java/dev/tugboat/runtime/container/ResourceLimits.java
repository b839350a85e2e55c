package dev.tugboat.runtime.container;

import dev.tugboat.runtime.oci.Spec;

/**
 * A container's cgroup limits, shaped like {@code dev.tugboat.runtime.cgroups.CgroupLimits} (null = unset) so the
 * cgroups module plugs in field for field.
 */
public record ResourceLimits(Long memoryLimitBytes, Long memorySwapBytes, Long cpuShares, Long cpuQuotaMicros,
    Long cpuPeriodMicros, String cpusetCpus, Long pidsLimit) {

  public static ResourceLimits of(Spec.Resources r) {
    return new ResourceLimits(r.memoryLimit(), r.memorySwap(), r.cpuShares(), r.cpuQuota(), r.cpuPeriod(),
        r.cpusetCpus(), r.pidsLimit());
  }

  public boolean any() {
    return memoryLimitBytes != null || memorySwapBytes != null || cpuShares != null || cpuQuotaMicros != null
        || cpuPeriodMicros != null || cpusetCpus != null || pidsLimit != null;
  }
}
