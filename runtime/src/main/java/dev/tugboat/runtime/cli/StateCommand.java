package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "state", description = "print the OCI state of a container as JSON")
final class StateCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;

  @Override
  public Integer call() {
    try (ContainerRuntime r = runtime.open()) {
      spec.commandLine().getOut().println(r.state(id).toJson());
    }
    return 0;
  }
}
