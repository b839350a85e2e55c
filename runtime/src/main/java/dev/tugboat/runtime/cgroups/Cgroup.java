package dev.tugboat.runtime.cgroups;

import java.nio.file.Path;
import java.util.List;

/** One cgroup under the {@code tugboat} parent, in every hierarchy its driver uses. */
public interface Cgroup {

    CgroupVersion version();

    /** The path below the {@code tugboat} parent, as given to {@link CgroupDriver#create}. */
    String relativePath();

    /** The cgroup's directories: one per mounted v1 hierarchy, or the one v2 directory. */
    List<Path> directories();

    /** Moves the process (and so every child it creates afterwards) into this cgroup in every hierarchy. */
    void addProcess(int pid);

    /** The processes in the cgroup, sorted. */
    List<Integer> pids();

    CgroupStats stats();

    /** Whether the kernel's OOM killer has killed a process of this cgroup, so an exit can be reported as OOMKilled. */
    boolean oomKilled();

    /** Stops every process of the cgroup (v1 freezer, v2 cgroup.freeze) and returns once all are stopped (pause). */
    void freeze();

    /** Lets the processes of a frozen cgroup run again (resume). */
    void thaw();

    /** Kills every process in the cgroup with SIGKILL and returns once none is left. */
    void killAll();

    /** Removes the cgroup from every hierarchy; waits while exiting tasks drain; does nothing once removed. */
    void delete();
}
