package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * cgroup v1: the cgroup is one directory in each controller hierarchy it uses under /sys/fs/cgroup/<controller>: the
 * {@link #V1_CONTROLLERS} every container's stats, pause and kill need, and those its limits write to (cpuset). A
 * hierarchy without a directory for the cgroup puts no bound on its processes, as an empty directory would not: each
 * one more costs a mkdir, a tasks write, two bind mounts in the container and an rmdir, about 0.1 ms per run here.
 */
final class CgroupV1Driver implements CgroupDriver {

    /** The hierarchies every cgroup is made in: its stats (memory, cpuacct, pids), cpu limits, pause (freezer). */
    static final Set<String> V1_CONTROLLERS = Set.of("cpu", "cpuacct", "memory", "pids", "freezer");

    private final Map<String, Path> mountByController;
    private volatile SpareCgroups spares;

    CgroupV1Driver(CgroupMounts mounts) {
        if (mounts.v1().isEmpty()) {
            throw new CgroupException("cgroup v1: no controller hierarchy is mounted (no \"cgroup\" entry in /proc/self/mountinfo)");
        }
        this.mountByController = new LinkedHashMap<>(mounts.v1());
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public Cgroup create(String relativePath, CgroupLimits limits) {
        CgroupDirectories.validateRelativePath(relativePath);
        List<CgroupFileWrite> writes = CgroupLimitFiles.v1(limits);
        for (CgroupFileWrite write : writes) {
            if (!mountByController.containsKey(write.controller())) {
                throw new CgroupException("cgroup v1: controller " + write.controller() + " is not mounted, so "
                        + write.file() + "=" + write.value() + " cannot be set");
            }
        }
        Map<String, Path> used = new LinkedHashMap<>();
        mountByController.forEach((controller, mount) -> {
            if (V1_CONTROLLERS.contains(controller)
                    || writes.stream().anyMatch(w -> w.controller().equals(controller))) {
                used.put(controller, mount);
            }
        });
        List<Path> mounts = CgroupDirectories.distinct(new ArrayList<>(used.values()));
        SpareCgroups spares = this.spares;
        List<Path> fromSpare = spares != null && spares.covers(relativePath, mounts) ? spares.take(relativePath)
                : List.of();
        List<Path> created = new ArrayList<>(fromSpare);
        try {
            for (Path mount : fromSpare.isEmpty() ? mounts : List.<Path>of()) {
                CgroupDirectories.mkdirs(mount, PARENT + "/" + relativePath, dir -> {}, created);
                if (mount.equals(mountByController.get("cpuset"))) {
                    // Every level down from the parent, including ones made earlier by a plain mkdir.
                    Path dir = mount;
                    for (String segment : (PARENT + "/" + relativePath).split("/")) {
                        dir = dir.resolve(segment);
                        inheritCpuset(dir);
                    }
                }
            }
            CgroupV1 cgroup = handle(relativePath, used, spares);
            for (CgroupFileWrite write : writes) {
                CgroupFiles.write(cgroup.directoryOf(write.controller()).resolve(write.file()), write.value());
            }
            return cgroup;
        } catch (RuntimeException e) {
            CgroupDirectories.removeCreated(created, e);
            throw e;
        }
    }

    @Override
    public void keepSpares(int count, java.util.concurrent.Executor background) {
        if (spares != null || count <= 0) return;
        List<Path> parents = new ArrayList<>();
        mountByController.forEach((controller, mount) -> {
            Path parent = mount.resolve(PARENT);
            if (V1_CONTROLLERS.contains(controller) && !parents.contains(parent)) parents.add(parent);
        });
        spares = new SpareCgroups(parents, count, background);
    }

    @Override
    public void removeSpares() {
        SpareCgroups s = spares;
        spares = null;
        if (s != null) s.close();
    }

    @Override
    public Cgroup open(String relativePath) {
        CgroupDirectories.validateRelativePath(relativePath);
        // Only the hierarchies it was made in (a cgroup made by an older Tugboat is in every one).
        Map<String, Path> made = new LinkedHashMap<>();
        mountByController.forEach((controller, mount) -> {
            if (Files.isDirectory(mount.resolve(PARENT).resolve(relativePath))) {
                made.put(controller, mount);
            }
        });
        if (made.isEmpty()) {
            throw new CgroupException("cgroup v1: " + PARENT + "/" + relativePath + " exists in no hierarchy (looked under "
                    + mountByController.values().stream().distinct().toList() + ")");
        }
        return handle(relativePath, made, spares);
    }

    @Override
    public boolean exists(String relativePath) {
        CgroupDirectories.validateRelativePath(relativePath);
        return mountByController.values().stream()
                .anyMatch(mount -> Files.isDirectory(mount.resolve(PARENT).resolve(relativePath)));
    }

    private static CgroupV1 handle(String relativePath, Map<String, Path> mounts, SpareCgroups spares) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        mounts.forEach((controller, mount) -> dirs.put(controller, mount.resolve(PARENT).resolve(relativePath)));
        return new CgroupV1(relativePath, dirs, spares);
    }

    // A new v1 cpuset starts with no CPUs and no memory nodes, and takes no task until both are set: copy the parent's.
    private static void inheritCpuset(Path dir) {
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            Path own = dir.resolve(file);
            if (CgroupFiles.read(own).isEmpty()) {
                CgroupFiles.write(own, CgroupFiles.read(dir.getParent().resolve(file)));
            }
        }
    }
}
