package dev.tugboat.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Tests only: a minimal cgroup v1 writer (memory, cpu, pids under /sys/fs/cgroup/<controller>/<path>) standing in for
 * dev.tugboat.runtime.cgroups until that module is merged. Paths are below the "tugboat" parent, as there.
 */
final class DirectV1Cgroups implements CgroupSupport {
  static final List<String> CONTROLLERS = List.of("memory", "cpu", "pids");
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  @Override
  public ContainerCgroup create(String relativePath, ResourceLimits limits) {
    Cgroup c = new Cgroup(relativePath);
    for (String controller : CONTROLLERS) mkdirs(c.dir(controller));
    if (limits.memoryLimitBytes() != null) c.write("memory", "memory.limit_in_bytes", limits.memoryLimitBytes());
    if (limits.memorySwapBytes() != null) c.write("memory", "memory.memsw.limit_in_bytes", limits.memorySwapBytes());
    if (limits.cpuShares() != null) c.write("cpu", "cpu.shares", limits.cpuShares());
    if (limits.cpuPeriodMicros() != null) c.write("cpu", "cpu.cfs_period_us", limits.cpuPeriodMicros());
    if (limits.cpuQuotaMicros() != null) c.write("cpu", "cpu.cfs_quota_us", limits.cpuQuotaMicros());
    if (limits.pidsLimit() != null) c.write("pids", "pids.max", limits.pidsLimit() < 0 ? "max" : limits.pidsLimit());
    return c;
  }

  @Override
  public Optional<ContainerCgroup> open(String relativePath) {
    Cgroup c = new Cgroup(relativePath);
    return Files.isDirectory(c.dir("pids")) ? Optional.of(c) : Optional.empty();
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  record Cgroup(String relativePath) implements ContainerCgroup {
    Path dir(String controller) {
      return ROOT.resolve(controller).resolve("tugboat").resolve(relativePath);
    }

    @Override
    public List<Path> directories() {
      return CONTROLLERS.stream().map(this::dir).toList();
    }

    void write(String controller, String file, Object value) {
      try {
        Files.writeString(dir(controller).resolve(file), value.toString());
      } catch (IOException e) {
        throw new UncheckedIOException("write " + dir(controller).resolve(file) + ": " + e, e);
      }
    }

    List<Integer> pids() {
      try {
        return Files.readAllLines(dir("pids").resolve("cgroup.procs")).stream().map(Integer::parseInt).toList();
      } catch (IOException e) {
        return List.of();
      }
    }

    @Override
    public void addProcess(int pid) {
      for (String controller : CONTROLLERS) write(controller, "cgroup.procs", pid);
    }

    @Override
    public boolean oomKilled() {
      try {
        return Files.readAllLines(dir("memory").resolve("memory.oom_control")).stream()
            .anyMatch(l -> l.startsWith("oom_kill ") && !l.endsWith(" 0"));
      } catch (IOException e) {
        return false;
      }
    }

    @Override
    public void killAll() {
      for (List<Integer> left = pids(); !left.isEmpty(); left = pids()) {
        for (int pid : left) {
          try {
            dev.tugboat.nativebindings.Linux.kill(pid, dev.tugboat.nativebindings.Linux.SIGKILL);
          } catch (RuntimeException gone) {
            // exited meanwhile
          }
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void delete() {
      for (String controller : CONTROLLERS) {
        Path d = dir(controller);
        // rmdir fails with EBUSY for a moment after the last process was reaped.
        for (int attempt = 0; Files.exists(d); attempt++) {
          try {
            Files.deleteIfExists(d);
          } catch (IOException e) {
            if (attempt > 200) throw new UncheckedIOException("rmdir " + d + ": " + e, e);
            try {
              Thread.sleep(5);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
              throw new UncheckedIOException(e);
            }
          }
        }
      }
    }
  }
}
