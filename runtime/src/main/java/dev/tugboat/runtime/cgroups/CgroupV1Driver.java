package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** cgroup v1: the cgroup is one directory in each controller hierarchy under /sys/fs/cgroup/<controller>. */
final class CgroupV1Driver implements CgroupDriver {

    private final Map<String, Path> mountByController;

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
        List<Path> created = new ArrayList<>();
        try {
            for (Path mount : CgroupDirectories.distinct(new ArrayList<>(mountByController.values()))) {
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
            CgroupV1 cgroup = handle(relativePath);
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
    public Cgroup open(String relativePath) {
        CgroupDirectories.validateRelativePath(relativePath);
        if (!exists(relativePath)) {
            throw new CgroupException("cgroup v1: " + PARENT + "/" + relativePath + " exists in no hierarchy (looked under "
                    + mountByController.values().stream().distinct().toList() + ")");
        }
        return handle(relativePath);
    }

    @Override
    public boolean exists(String relativePath) {
        CgroupDirectories.validateRelativePath(relativePath);
        return mountByController.values().stream()
                .anyMatch(mount -> Files.isDirectory(mount.resolve(PARENT).resolve(relativePath)));
    }

    private CgroupV1 handle(String relativePath) {
        Map<String, Path> dirs = new LinkedHashMap<>();
        mountByController.forEach((controller, mount) -> dirs.put(controller, mount.resolve(PARENT).resolve(relativePath)));
        return new CgroupV1(relativePath, dirs);
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
