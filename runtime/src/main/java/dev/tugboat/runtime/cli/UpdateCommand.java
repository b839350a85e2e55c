package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ResourceLimits;
import dev.tugboat.runtime.oci.SpecException;
import dev.tugboat.runtime.oci.SpecParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * runc update: change the cgroup limits of a container, from flags or from a linux.resources JSON file (-r, "-" for
 * stdin); a flag overrides the file's value. Only the limits given change.
 */
@Command(name = "update", description = "update the resource limits of a container")
final class UpdateCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Option(names = {"--resources", "-r"}, description = "linux.resources JSON file, or - for stdin") String resources;
  @Option(names = {"--memory", "-m"}, description = "memory limit (bytes, or with a unit: 64m, 1g; -1: unlimited)") String memory;
  @Option(names = "--memory-swap", description = "memory plus swap limit (as --memory)") String memorySwap;
  @Option(names = "--cpu-quota", description = "CPU time per period, microseconds (-1: unlimited)") String cpuQuota;
  @Option(names = "--cpu-period", description = "CPU quota period, microseconds") String cpuPeriod;
  // runc 1.1 spells it --cpu-share; --cpu-shares as docker and the OCI field do.
  @Option(names = {"--cpu-share", "--cpu-shares"}, description = "relative CPU weight") String cpuShares;
  @Option(names = "--cpuset-cpus", description = "CPUs to run on (0-2,4)") String cpusetCpus;
  @Option(names = "--pids-limit", description = "maximum number of tasks (-1 or 0: unlimited)") String pidsLimit;

  @Override
  public Integer call() throws IOException {
    ResourceLimits base = resources == null ? new ResourceLimits(null, null, null, null, null, null, null)
        : fromFile();
    ResourceLimits limits = new ResourceLimits(
        memory != null ? UpdateValues.size("memory", memory) : base.memoryLimitBytes(),
        memorySwap != null ? UpdateValues.size("memory-swap", memorySwap) : base.memorySwapBytes(),
        cpuShares != null ? UpdateValues.number("cpu-shares", cpuShares) : base.cpuShares(),
        cpuQuota != null ? UpdateValues.number("cpu-quota", cpuQuota) : base.cpuQuotaMicros(),
        cpuPeriod != null ? UpdateValues.number("cpu-period", cpuPeriod) : base.cpuPeriodMicros(),
        cpusetCpus != null ? cpusetCpus : base.cpusetCpus(),
        pidsLimit != null ? UpdateValues.number("pids-limit", pidsLimit) : base.pidsLimit());
    try (ContainerRuntime r = runtime.open()) {
      r.update(id, limits);
    }
    return 0;
  }

  private ResourceLimits fromFile() throws IOException {
    String json = readResources();
    try {
      return ResourceLimits.of(SpecParser.parseResources(json));
    } catch (SpecException e) {
      throw new SpecException(e.getMessage().replaceFirst("^resources", "--resources " + resources));
    }
  }

  private String readResources() throws IOException {
    if (resources.equals("-")) return new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    try {
      return Files.readString(Path.of(resources));
    } catch (IOException e) {
      throw new IllegalArgumentException("--resources: cannot read " + resources + ": " + e.getMessage());
    }
  }
}
