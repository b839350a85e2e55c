package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Creates and finds cgroups below the {@code tugboat} parent in one cgroup version. */
public interface CgroupDriver {

    /** Every cgroup Tugboat makes lives below this directory of each hierarchy. */
    String PARENT = "tugboat";

    /** The controllers a container's limits and stats need; v2 is used only when the unified hierarchy offers them. */
    Set<String> V2_REQUIRED_CONTROLLERS = Set.of("cpu", "memory", "pids");

    /**
     * The driver for this machine: v2 when the unified hierarchy offers the cpu, memory and pids controllers, else v1.
     * A hybrid machine's unified mount may offer a controller or two (hugetlb, say) while the ones that matter are
     * bound to v1 hierarchies; that still is a v1 machine.
     */
    static CgroupDriver detect() {
        return detect(CgroupMounts.read());
    }

    static CgroupDriver detect(CgroupMounts mounts) {
        return forVersion(detectVersion(mounts), mounts);
    }

    static CgroupVersion detectVersion(CgroupMounts mounts) {
        if (mounts.v2().isPresent()) {
            List<String> offered = CgroupV2Driver.controllersOf(mounts.v2().get());
            if (offered.containsAll(V2_REQUIRED_CONTROLLERS)) {
                return CgroupVersion.V2;
            }
        }
        if (!mounts.v1().isEmpty()) {
            return CgroupVersion.V1;
        }
        if (mounts.v2().isPresent() && Files.isDirectory(mounts.v2().get())) {
            return CgroupVersion.V2;
        }
        throw new CgroupException("no cgroup hierarchy is mounted (no cgroup or cgroup2 entry in /proc/self/mountinfo)");
    }

    /** The driver of one version regardless of what detection would pick (tests use both on one machine). */
    static CgroupDriver forVersion(CgroupVersion version) {
        return forVersion(version, CgroupMounts.read());
    }

    static CgroupDriver forVersion(CgroupVersion version, CgroupMounts mounts) {
        return switch (version) {
            case V1 -> new CgroupV1Driver(mounts);
            case V2 -> new CgroupV2Driver(mounts);
        };
    }

    CgroupVersion version();

    /**
     * Creates the cgroup {@code tugboat/relativePath} (creating the parent and any missing ancestors) and writes its
     * limits. The cgroup must not exist yet. If any step fails, every directory this call created is removed again
     * and the error names the file and value that were refused.
     */
    Cgroup create(String relativePath, CgroupLimits limits);

    /** A handle on an existing cgroup (after an agent restart, say); fails if it exists in no hierarchy. */
    Cgroup open(String relativePath);

    /** The existing cgroup at {@code tugboat/relativePath}, if there is one. */
    default Optional<Cgroup> find(String relativePath) {
        return exists(relativePath) ? Optional.of(open(relativePath)) : Optional.empty();
    }

    /** Whether {@code tugboat/relativePath} exists in any hierarchy of this driver. */
    boolean exists(String relativePath);

    /**
     * From now on keeps up to {@code count} spare cgroups, made on {@code background}, that create can rename into
     * place (v1 only, see SpareCgroups; others ignore this).
     */
    default void keepSpares(int count, java.util.concurrent.Executor background) {}

    /** Removes the spare cgroups and makes no more. */
    default void removeSpares() {}
}
