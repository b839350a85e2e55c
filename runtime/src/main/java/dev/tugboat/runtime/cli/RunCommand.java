package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.CreateOptions;
import dev.tugboat.runtime.container.Stdio;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** runc run: create and start; in the foreground, wait, delete, and exit with the container's status. */
@Command(name = "run", description = "create and start a container, and (without --detach) wait for it")
final class RunCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Option(names = {"--bundle", "-b"}) Path bundle = Path.of(".");
  @Option(names = "--pid-file") Path pidFile;
  @Option(names = "--console-socket") String consoleSocket;
  @Option(names = {"--detach", "-d"}) boolean detach;
  @Option(names = "--no-pivot") boolean noPivot;
  @Option(names = "--no-new-keyring") boolean noNewKeyring;
  @Option(names = "--preserve-fds") int preserveFds;
  @Option(names = "--keep", description = "do not delete the container after it exits") boolean keep;

  @Override
  public Integer call() {
    if (consoleSocket != null) throw new IllegalArgumentException("--console-socket: not supported: terminal");
    if (preserveFds != 0) throw new IllegalArgumentException("--preserve-fds: not supported");
    try (ContainerRuntime r = runtime.open()) {
      r.create(id, bundle, CreateOptions.defaults().withStdio(Stdio.inherit()).withPidFile(pidFile));
      try {
        r.start(id);
      } catch (RuntimeException e) {
        r.delete(id, true);
        throw e;
      }
      if (detach) return 0;
      SignalForwarding.install(signal -> {
        try {
          r.kill(id, signal, false);
        } catch (RuntimeException exited) {
          // nothing left to signal
        }
      });
      WaitStatus status = r.awaitExit(id).orElseThrow();
      if (!keep) r.delete(id, true);
      return status.shellStatus();
    }
  }
}
