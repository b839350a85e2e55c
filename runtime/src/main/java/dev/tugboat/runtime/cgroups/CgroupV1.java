package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** A cgroup v1: one directory per controller hierarchy (co-mounted controllers share one). */
final class CgroupV1 implements Cgroup {

    // memory.limit_in_bytes reads 9223372036854771712 (LONG_MAX rounded down to a page) when unlimited.
    private static final long UNLIMITED_THRESHOLD = 1L << 62;
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final String relativePath;
    private final Map<String, Path> directoryByController;
    private final List<Path> directories;

    private final SpareCgroups spares;

    /** @param spares where delete may leave the removal to, or null */
    CgroupV1(String relativePath, Map<String, Path> directoryByController, SpareCgroups spares) {
        this.relativePath = relativePath;
        this.spares = spares;
        this.directoryByController = Map.copyOf(directoryByController);
        this.directories = CgroupDirectories.distinct(List.copyOf(directoryByController.values()));
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V1;
    }

    @Override
    public String relativePath() {
        return relativePath;
    }

    @Override
    public List<Path> directories() {
        return directories;
    }

    boolean hasController(String controller) {
        return directoryByController.containsKey(controller);
    }

    Path directoryOf(String controller) {
        Path dir = directoryByController.get(controller);
        if (dir == null) {
            throw new CgroupException("cgroup v1: controller " + controller + " is not mounted");
        }
        return dir;
    }

    @Override
    public void addProcess(int pid) {
        for (Path dir : directories) {
            CgroupFiles.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
        }
    }

    @Override
    public List<Integer> pids() {
        TreeSet<Integer> pids = new TreeSet<>();
        for (Path dir : directories) {
            pids.addAll(CgroupFiles.readPids(dir.resolve("cgroup.procs")));
        }
        return List.copyOf(pids);
    }

    @Override
    public CgroupStats stats() {
        Path memory = directoryByController.get("memory");
        Path cpuacct = directoryByController.get("cpuacct");
        Path pids = directoryByController.get("pids");
        Long limit = memory == null ? null : CgroupFiles.readLongOrNull(memory.resolve("memory.limit_in_bytes"));
        return new CgroupStats(
                memory == null ? null : CgroupFiles.readLongOrNull(memory.resolve("memory.usage_in_bytes")),
                limit == null || limit >= UNLIMITED_THRESHOLD ? null : limit,
                memory == null ? null : CgroupFiles.readLongOrNull(memory.resolve("memory.max_usage_in_bytes")),
                cpuacct == null ? null : CgroupFiles.readLongOrNull(cpuacct.resolve("cpuacct.usage")),
                pids == null ? null : CgroupFiles.readLongOrNull(pids.resolve("pids.current")),
                pids == null ? null : CgroupFiles.readLongOrNull(pids.resolve("pids.max")));
    }

    @Override
    public boolean oomKilled() {
        Path memory = directoryByController.get("memory");
        if (memory == null) {
            return false;
        }
        Long kills = CgroupFiles.readKeyedOrNull(memory.resolve("memory.oom_control"), "oom_kill");
        return kills != null && kills > 0;
    }

    /**
     * Freezes the cgroup (when the freezer is mounted) so no process can fork while the pids are being signalled,
     * sends SIGKILL to each, thaws so the signals are taken, and repeats until the cgroup is empty.
     */
    @Override
    public void killAll() {
        Path freezer = directoryByController.get("freezer");
        if (freezer != null && !Files.isDirectory(freezer)) {
            freezer = null;
        }
        Deadline deadline = new Deadline(KILL_TIMEOUT);
        while (true) {
            List<Integer> pids = pids();
            if (pids.isEmpty()) {
                return;
            }
            if (deadline.expired()) {
                throw new CgroupException("kill processes of cgroup " + directories.get(0) + ": still running after "
                        + KILL_TIMEOUT.toSeconds() + "s: " + pids);
            }
            if (freezer != null) {
                freeze(freezer, deadline);
            }
            try {
                for (int pid : pids()) {
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            } finally {
                if (freezer != null) {
                    CgroupFiles.write(freezer.resolve("freezer.state"), "THAWED");
                }
            }
            deadline.pause();
        }
    }

    private static void freeze(Path freezer, Deadline deadline) {
        Path state = freezer.resolve("freezer.state");
        CgroupFiles.write(state, "FROZEN");
        while (!CgroupFiles.read(state).equals("FROZEN") && !deadline.expired()) {
            deadline.pause();
        }
    }

    @Override
    public void freeze() {
        Path state = directoryOf("freezer").resolve("freezer.state");
        Deadline deadline = new Deadline(KILL_TIMEOUT);
        freeze(state.getParent(), deadline);
        if (!CgroupFiles.read(state).equals("FROZEN")) {
            CgroupFiles.write(state, "THAWED");
            throw new CgroupException("freeze " + state.getParent() + ": still " + CgroupFiles.read(state)
                    + " after " + KILL_TIMEOUT.toSeconds() + "s; thawed again");
        }
    }

    @Override
    public void thaw() {
        CgroupFiles.write(directoryOf("freezer").resolve("freezer.state"), "THAWED");
    }

    @Override
    public void delete() {
        if (spares != null && spares.discard(relativePath, directories)) {
            return;
        }
        for (Path dir : directories) {
            CgroupDirectories.rmdir(dir);
        }
    }

    @Override
    public String toString() {
        return "cgroup v1 " + CgroupDriver.PARENT + "/" + relativePath;
    }
}
