package dev.tugboat.control.cli;

import java.net.InetAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tug up}: the all-in-one cluster on this machine; today the API server over the embedded store. */
@Command(name = "up", mixinStandardHelpOptions = true,
    description = "Run an all-in-one cluster on this machine (API server and embedded store).")
final class UpCommand implements Callable<Integer> {

  @Mixin
  ServerOptions server = new ServerOptions();

  @Option(names = "--bind-address", paramLabel = "ADDR", defaultValue = "127.0.0.1",
      description = "Address to listen on (default: ${DEFAULT-VALUE}: a local cluster).")
  String bindAddress;

  @Override
  public Integer call() throws Exception {
    return ControlPlane.runUntilStopped(server, InetAddress.getByName(bindAddress), "tug up");
  }
}
