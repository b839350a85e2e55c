package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.oci.SpecParser;
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
  @Option(names = "--no-subreaper", description = "accepted for runc compatibility; this process is no subreaper") boolean noSubreaper;
  @Option(names = "--keep", description = "do not delete the container after it exits") boolean keep;

  @Override
  public Integer call() throws InterruptedException {
    if (preserveFds != 0) throw new IllegalArgumentException("--preserve-fds: not supported");
    boolean terminal = SpecParser.read(bundle.toAbsolutePath().normalize()).process().terminal();
    TerminalProxy proxy = terminal && consoleSocket == null && !detach ? new TerminalProxy() : null;
    int console = consoleSocket != null ? ConsoleSocket.connect(consoleSocket) : proxy != null ? proxy.consoleSocket() : -1;
    try (ContainerRuntime r = runtime.open()) {
      r.create(id, bundle, CreateOptions.defaults().withStdio(Stdio.inherit()).withPidFile(pidFile)
          .withConsoleSocket(console));
      try {
        if (proxy != null) proxy.attach();
        // Before start, as runc: a signal (or terminal resize) from then on is the container's, none is lost.
        if (!detach) {
          SignalForwarding.install(signal -> {
            try {
              r.kill(id, signal, false);
            } catch (RuntimeException exited) {
              // nothing left to signal
            }
          }, proxy != null ? proxy::resize : () -> {});
        }
        r.start(id);
      } catch (RuntimeException e) {
        r.delete(id, true);
        throw e;
      }
      if (detach) return 0;
      WaitStatus status = r.awaitExit(id).orElseThrow();
      if (proxy != null) proxy.awaitOutput();
      if (!keep) r.delete(id, true);
      return status.shellStatus();
    } finally {
      if (proxy != null) proxy.close();
      else Linux.closeQuietly(console);
    }
  }
}
