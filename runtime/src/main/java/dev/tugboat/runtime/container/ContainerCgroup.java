package dev.tugboat.runtime.container;

/** The cgroup of one container, as the runtime uses it. */
public interface ContainerCgroup {
  /** Its path relative to the cgroups root, the same in every hierarchy. */
  String path();

  void addProcess(int pid);

  boolean oomKilled();

  /** SIGKILLs every process in it (kill --all). */
  void killAll();

  /** Removes it; it must be empty. Removing one that does not exist is not an error. */
  void delete();
}
