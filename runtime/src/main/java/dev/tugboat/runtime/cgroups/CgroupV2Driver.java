package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** cgroup v2: the cgroup is one directory of the unified hierarchy. */
final class CgroupV2Driver implements CgroupDriver {

    // Controllers delegated down to Tugboat's cgroups when the hierarchy offers them.
    private static final List<String> DELEGATED_CONTROLLERS = List.of("cpu", "cpuset", "io", "memory", "pids", "hugetlb");

    private final Path root;

    CgroupV2Driver(CgroupMounts mounts) {
        this.root = mounts.v2().orElseThrow(() ->
                new CgroupException("cgroup v2: the unified hierarchy is not mounted (no \"cgroup2\" entry in /proc/self/mountinfo)"));
    }

    /** The controllers a v2 cgroup directory can use (its cgroup.controllers). */
    static List<String> controllersOf(Path dir) {
        Path file = dir.resolve("cgroup.controllers");
        if (!Files.exists(file)) {
            return List.of();
        }
        String content = CgroupFiles.read(file);
        return content.isEmpty() ? List.of() : Arrays.asList(content.split("\\s+"));
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public Cgroup create(String relativePath, CgroupLimits limits) {
        CgroupDirectories.validateRelativePath(relativePath);
        List<CgroupFileWrite> writes = CgroupLimitFiles.v2(limits);
        List<Path> created = new ArrayList<>();
        try {
            Path parent = root.resolve(PARENT);
            if (!Files.isDirectory(parent)) {
                CgroupDirectories.mkdirs(root, PARENT, dir -> {}, created);
            }
            enableControllers(parent);
            // Each ancestor hands its controllers down before the next level is made; the leaf keeps its own off,
            // because a v2 cgroup with controllers enabled for children may hold no processes.
            CgroupDirectories.mkdirs(root, PARENT + "/" + relativePath, dir -> {
                if (!dir.equals(root.resolve(PARENT).resolve(relativePath))) {
                    enableControllers(dir);
                }
            }, created);
            Path dir = root.resolve(PARENT).resolve(relativePath);
            List<String> available = controllersOf(dir);
            for (CgroupFileWrite write : writes) {
                if (!available.contains(write.controller())) {
                    throw new CgroupException("cgroup v2: controller " + write.controller() + " is not available to "
                            + dir + " (cgroup.controllers: \"" + String.join(" ", available) + "\"), so "
                            + write.file() + "=" + write.value() + " cannot be set");
                }
                CgroupFiles.write(dir.resolve(write.file()), write.value());
            }
            return new CgroupV2(relativePath, dir);
        } catch (RuntimeException e) {
            CgroupDirectories.removeCreated(created, e);
            throw e;
        }
    }

    // Writes "+controller" to cgroup.subtree_control for each delegated controller the directory has but does not
    // yet pass on.
    private void enableControllers(Path dir) {
        List<String> available = controllersOf(dir);
        List<String> enabled = Arrays.asList(CgroupFiles.read(dir.resolve("cgroup.subtree_control")).split("\\s+"));
        for (String controller : DELEGATED_CONTROLLERS) {
            if (available.contains(controller) && !enabled.contains(controller)) {
                CgroupFiles.write(dir.resolve("cgroup.subtree_control"), "+" + controller);
            }
        }
    }

    @Override
    public Cgroup open(String relativePath) {
        if (!exists(relativePath)) {
            throw new CgroupException("cgroup v2: " + root.resolve(PARENT).resolve(relativePath) + " does not exist");
        }
        return new CgroupV2(relativePath, root.resolve(PARENT).resolve(relativePath));
    }

    @Override
    public boolean exists(String relativePath) {
        CgroupDirectories.validateRelativePath(relativePath);
        return Files.isDirectory(root.resolve(PARENT).resolve(relativePath));
    }
}
