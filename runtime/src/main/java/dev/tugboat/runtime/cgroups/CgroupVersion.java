package dev.tugboat.runtime.cgroups;

/** The two cgroup interfaces of the kernel: one hierarchy per controller (v1) or the unified hierarchy (v2). */
public enum CgroupVersion {
    V1,
    V2
}
