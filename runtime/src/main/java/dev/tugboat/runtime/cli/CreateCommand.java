package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.CreateOptions;
import dev.tugboat.runtime.container.Stdio;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc create: the container's process is set up and waits for start; its stdio is this command's. */
@Command(name = "create", description = "create a container")
final class CreateCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Option(names = {"--bundle", "-b"}, description = "bundle directory (default: current directory)") Path bundle = Path.of(".");
  @Option(names = "--pid-file") Path pidFile;
  @Option(names = "--console-socket") String consoleSocket;
  @Option(names = "--no-pivot", description = "accepted for runc compatibility; Tugboat always pivots") boolean noPivot;
  @Option(names = "--no-new-keyring", description = "accepted for runc compatibility") boolean noNewKeyring;
  @Option(names = "--preserve-fds", description = "not supported (must be 0)") int preserveFds;

  @Override
  public Integer call() {
    create(runtime, id, bundle, pidFile, consoleSocket, preserveFds);
    return 0;
  }

  static void create(RuntimeCommand runtime, String id, Path bundle, Path pidFile, String consoleSocket, int preserveFds) {
    if (preserveFds != 0) throw new IllegalArgumentException("--preserve-fds: not supported");
    int console = consoleSocket == null ? -1 : ConsoleSocket.connect(consoleSocket);
    try (ContainerRuntime r = runtime.open()) {
      r.create(id, bundle, CreateOptions.defaults().withStdio(Stdio.inherit()).withPidFile(pidFile)
          .withConsoleSocket(console));
    } finally {
      Linux.closeQuietly(console);
    }
  }
}
