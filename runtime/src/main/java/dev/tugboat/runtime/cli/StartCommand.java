package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "start", description = "run the process of a created container")
final class StartCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;

  @Override
  public Integer call() {
    try (ContainerRuntime r = runtime.open()) {
      r.start(id);
    }
    return 0;
  }
}
