package dev.tugboat.control.cli;

import java.net.InetAddress;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tug server}: the Kubernetes API server over the store, until SIGINT or SIGTERM. */
@Command(name = "server", mixinStandardHelpOptions = true,
    description = "Run the Kubernetes API server (writes DATA_DIR/admin.kubeconfig).")
final class ServerCommand implements Callable<Integer> {

  @Mixin
  ServerOptions server = new ServerOptions();

  @Option(names = "--bind-address", paramLabel = "ADDR", defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  String bindAddress;

  @Override
  public Integer call() throws Exception {
    return ControlPlane.runUntilStopped(server, InetAddress.getByName(bindAddress), "tug server");
  }
}
