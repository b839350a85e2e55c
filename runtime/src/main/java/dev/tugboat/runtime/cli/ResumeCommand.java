package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc resume: thaw a paused container. */
@Command(name = "resume", description = "resume all processes of a paused container")
final class ResumeCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;

  @Override
  public Integer call() {
    try (ContainerRuntime r = runtime.open()) {
      r.resume(id);
    }
    return 0;
  }
}
