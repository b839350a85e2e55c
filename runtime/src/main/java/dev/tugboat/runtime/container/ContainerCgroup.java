package dev.tugboat.runtime.container;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The cgroup of one container, as the runtime uses it: the methods of {@code dev.tugboat.runtime.cgroups.Cgroup} it
 * needs, with the same meanings, so that module's cgroups plug in one for one.
 */
public interface ContainerCgroup {
  /** Its path below the {@code tugboat} parent of every hierarchy. */
  String relativePath();

  /** Its directories: one per mounted v1 hierarchy, or the one v2 directory. */
  List<Path> directories();

  void addProcess(int pid);

  /**
   * The files a single-threaded process writes "0" to, one per directory, to move itself in (what tug-init does
   * before it runs anything): a v1 hierarchy's {@code tasks}, or v2's {@code cgroup.procs}. In v1 that is far cheaper
   * than {@link #addProcess}: moving only the writing thread skips the kernel's global threadgroup lock, whose write
   * side waits for an RCU grace period (about 10 ms here when the lock was idle).
   */
  default List<Path> selfJoinFiles() {
    return directories().stream()
        .map(d -> d.resolve(Files.exists(d.resolve("tasks")) ? "tasks" : "cgroup.procs"))
        .toList();
  }

  boolean oomKilled();

  /** SIGKILLs every process in it and returns once none is left (kill --all, delete --force). */
  void killAll();

  /** Removes it from every hierarchy; does nothing once removed. */
  void delete();

  // pause, resume, update, events: cgroups that cannot (a test's stand-in) say so

  /** Stops every process in it (v1 freezer, v2 cgroup.freeze) and returns once all are stopped. */
  default void freeze() {
    throw new ContainerException("cgroup " + relativePath() + ": this cgroup support has no freezer");
  }

  default void thaw() {
    throw new ContainerException("cgroup " + relativePath() + ": this cgroup support has no freezer");
  }

  /** Whether it is frozen or freezing (read from v1 freezer.state or v2 cgroup.freeze). */
  default boolean frozen() {
    for (Path d : directories()) {
      try {
        Path v1 = d.resolve("freezer.state");
        if (Files.exists(v1)) return !Files.readString(v1).trim().equals("THAWED");
        Path v2 = d.resolve("cgroup.freeze");
        if (Files.exists(v2)) return Files.readString(v2).trim().equals("1");
      } catch (java.io.IOException removed) {
        return false;
      }
    }
    return false;
  }

  /** Writes the limits that are set in {@code limits}, leaving the others as they are (runc update). */
  default void update(ResourceLimits limits) {
    throw new ContainerException("cgroup " + relativePath() + ": this cgroup support cannot change limits");
  }

  /** Its usage counters, for runc's events; see {@link CgroupUsage}. */
  default CgroupUsage usage() {
    return CgroupUsage.read(this);
  }
}
