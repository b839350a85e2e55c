package dev.tugboat.runtime.container;

import java.util.Optional;

/**
 * Where the runtime gets cgroups from: {@code dev.tugboat.runtime.cgroups.CgroupDriver} in a full build (create and
 * open take paths below the {@code tugboat} parent, as there); {@link #NONE} for builds without it, which refuses
 * specs that ask for limits.
 */
public interface CgroupSupport {
  ContainerCgroup create(String relativePath, ResourceLimits limits);

  /** The cgroup at this path if it exists (finding a container's cgroup again after a restart). */
  Optional<ContainerCgroup> open(String relativePath);

  /** Removes cgroups made ahead of need, if any (the runtime is closing). */
  default void removeSpares() {}

  CgroupSupport NONE = new CgroupSupport() {
    @Override
    public ContainerCgroup create(String relativePath, ResourceLimits limits) {
      if (limits.any()) {
        throw new ContainerException("linux.resources: cannot apply " + limits
            + ": this runtime has no cgroup support wired in");
      }
      return null;
    }

    @Override
    public Optional<ContainerCgroup> open(String relativePath) {
      return Optional.empty();
    }
  };
}
