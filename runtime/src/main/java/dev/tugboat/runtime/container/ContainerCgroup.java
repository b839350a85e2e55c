package dev.tugboat.runtime.container;

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

  boolean oomKilled();

  /** SIGKILLs every process in it and returns once none is left (kill --all, delete --force). */
  void killAll();

  /** Removes it from every hierarchy; does nothing once removed. */
  void delete();
}
