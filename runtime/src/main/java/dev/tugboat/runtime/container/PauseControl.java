package dev.tugboat.runtime.container;

/** Whether a container's cgroup is frozen (runc's "paused"), read where state, kill and delete need it. */
final class PauseControl {
  private PauseControl() {}

  static boolean frozen(CgroupSupport cgroups, String cgroupPath) {
    return cgroups.open(cgroupPath).map(ContainerCgroup::frozen).orElse(false);
  }

  static void thawIfFrozen(CgroupSupport cgroups, String cgroupPath) {
    cgroups.open(cgroupPath).filter(ContainerCgroup::frozen).ifPresent(ContainerCgroup::thaw);
  }
}
