package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc pause: freeze every process of a running container (its state becomes "paused"). */
@Command(name = "pause", description = "suspend all processes of a container")
final class PauseCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;

  @Override
  public Integer call() {
    try (ContainerRuntime r = runtime.open()) {
      r.pause(id);
    }
    return 0;
  }
}
