package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.Signals;
import dev.tugboat.runtime.container.ContainerRuntime;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "kill", description = "send a signal (default SIGTERM) to a container's process")
final class KillCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Parameters(index = "1", paramLabel = "<signal>", defaultValue = "SIGTERM") String signal;
  @Option(names = {"--all", "-a"}, description = "signal every process of the container") boolean all;

  @Override
  public Integer call() {
    int number = Signals.parse(signal);
    try (ContainerRuntime r = runtime.open()) {
      r.kill(id, number, all);
    }
    return 0;
  }
}
