package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerNotFoundException;
import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "remove a stopped container (--force: kill it first)")
final class DeleteCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Option(names = {"--force", "-f"}) boolean force;

  @Override
  public Integer call() {
    try (ContainerRuntime r = runtime.open()) {
      r.delete(id, force);
    } catch (ContainerNotFoundException e) {
      // runc delete --force of a container that does not exist succeeds.
      if (!force) throw e;
    }
    return 0;
  }
}
