package dev.tugboat.runtime.cgroups;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A cgroup v2: one directory of the unified hierarchy. */
final class CgroupV2 implements Cgroup {

    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);

    private final String relativePath;
    private final Path dir;

    CgroupV2(String relativePath, Path dir) {
        this.relativePath = relativePath;
        this.dir = dir;
    }

    @Override
    public CgroupVersion version() {
        return CgroupVersion.V2;
    }

    @Override
    public String relativePath() {
        return relativePath;
    }

    @Override
    public List<Path> directories() {
        return List.of(dir);
    }

    @Override
    public void addProcess(int pid) {
        CgroupFiles.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
    }

    @Override
    public List<Integer> pids() {
        return CgroupFiles.readPids(dir.resolve("cgroup.procs")).stream().sorted().toList();
    }

    @Override
    public CgroupStats stats() {
        Long cpuUsageMicros = CgroupFiles.readKeyedOrNull(dir.resolve("cpu.stat"), "usage_usec");
        return new CgroupStats(
                CgroupFiles.readLongOrNull(dir.resolve("memory.current")),
                CgroupFiles.readLongOrNull(dir.resolve("memory.max")),
                CgroupFiles.readLongOrNull(dir.resolve("memory.peak")),
                cpuUsageMicros == null ? null : cpuUsageMicros * 1000,
                CgroupFiles.readLongOrNull(dir.resolve("pids.current")),
                CgroupFiles.readLongOrNull(dir.resolve("pids.max")));
    }

    @Override
    public boolean oomKilled() {
        Long kills = CgroupFiles.readKeyedOrNull(dir.resolve("memory.events"), "oom_kill");
        return kills != null && kills > 0;
    }

    /** cgroup.kill (Linux 5.14+) kills the whole cgroup atomically; older kernels get freeze, SIGKILL each, thaw. */
    @Override
    public void killAll() {
        Path kill = dir.resolve("cgroup.kill");
        Path freeze = dir.resolve("cgroup.freeze");
        Deadline deadline = new Deadline(KILL_TIMEOUT);
        while (true) {
            List<Integer> pids = pids();
            if (pids.isEmpty()) {
                return;
            }
            if (deadline.expired()) {
                throw new CgroupException("kill processes of cgroup " + dir + ": still running after "
                        + KILL_TIMEOUT.toSeconds() + "s: " + pids);
            }
            if (Files.exists(kill)) {
                CgroupFiles.write(kill, "1");
            } else {
                CgroupFiles.write(freeze, "1");
                try {
                    for (int pid : pids()) {
                        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } finally {
                    CgroupFiles.write(freeze, "0");
                }
            }
            deadline.pause();
        }
    }

    @Override
    public void freeze() {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "1");
        Deadline deadline = new Deadline(KILL_TIMEOUT);
        Path events = dir.resolve("cgroup.events");
        while (!Long.valueOf(1).equals(CgroupFiles.readKeyedOrNull(events, "frozen"))) {
            if (deadline.expired()) {
                CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
                throw new CgroupException("freeze " + dir + ": not frozen after " + KILL_TIMEOUT.toSeconds()
                        + "s; thawed again");
            }
            deadline.pause();
        }
    }

    @Override
    public void thaw() {
        CgroupFiles.write(dir.resolve("cgroup.freeze"), "0");
    }

    @Override
    public void delete() {
        CgroupDirectories.rmdir(dir);
    }

    @Override
    public String toString() {
        return "cgroup v2 " + CgroupDriver.PARENT + "/" + relativePath;
    }
}
