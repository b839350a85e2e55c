package dev.tugboat.runtime.container;

import dev.tugboat.runtime.cgroups.Cgroup;
import dev.tugboat.runtime.cgroups.CgroupDriver;
import dev.tugboat.runtime.cgroups.CgroupLimits;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The machine's real cgroups ({@link CgroupDriver}, v1 or v2 as detected) as the container runtime uses them. */
public final class KernelCgroups implements CgroupSupport {
  private final CgroupDriver driver;

  /** Spare cgroups kept, for a JVM that starts more than one container (see the driver's keepSpares). */
  private static final int SPARES = 4;

  public KernelCgroups(CgroupDriver driver) {
    this.driver = driver;
    driver.keepSpares(SPARES, Teardown::soon);
  }

  public static KernelCgroups detect() {
    return new KernelCgroups(CgroupDriver.detect());
  }

  @Override
  public ContainerCgroup create(String relativePath, ResourceLimits l) {
    CgroupLimits limits = new CgroupLimits(l.memoryLimitBytes(), l.memorySwapBytes(), l.cpuShares(),
        l.cpuQuotaMicros(), l.cpuPeriodMicros(), l.cpusetCpus(), l.pidsLimit());
    return new Adapted(driver.create(relativePath, limits));
  }

  @Override
  public Optional<ContainerCgroup> open(String relativePath) {
    return driver.find(relativePath).map(Adapted::new);
  }

  @Override
  public void removeSpares() {
    driver.removeSpares();
  }

  private record Adapted(Cgroup cgroup) implements ContainerCgroup {
    @Override
    public String relativePath() {
      return cgroup.relativePath();
    }

    @Override
    public List<Path> directories() {
      return cgroup.directories();
    }

    @Override
    public void addProcess(int pid) {
      cgroup.addProcess(pid);
    }

    @Override
    public boolean oomKilled() {
      return cgroup.oomKilled();
    }

    @Override
    public void killAll() {
      cgroup.killAll();
    }

    @Override
    public void delete() {
      cgroup.delete();
    }

    @Override
    public void freeze() {
      cgroup.freeze();
    }

    @Override
    public void thaw() {
      cgroup.thaw();
    }

    @Override
    public void update(ResourceLimits l) {
      dev.tugboat.runtime.cgroups.CgroupUpdate.apply(cgroup, new CgroupLimits(l.memoryLimitBytes(),
          l.memorySwapBytes(), l.cpuShares(), l.cpuQuotaMicros(), l.cpuPeriodMicros(), l.cpusetCpus(), l.pidsLimit()));
    }
  }
}
