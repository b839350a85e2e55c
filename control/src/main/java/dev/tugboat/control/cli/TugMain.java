package dev.tugboat.control.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code tug}: the control-plane commands (bin/tug sends runtime, node, proxy, dns and bench elsewhere). */
@Command(name = "tug", mixinStandardHelpOptions = true, versionProvider = TugMain.Version.class,
    description = "Tugboat: a lean Kubernetes-compatible cluster.",
    subcommands = {ServerCommand.class, UpCommand.class, StoreCommand.class, KubeletCertificateCommand.class,
        CommandLine.HelpCommand.class})
public final class TugMain {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new TugMain());
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = TugMain.class.getPackage().getImplementationVersion();
      return new String[] {"tug " + (version == null ? "dev" : version) + " (Kubernetes API "
          + dev.tugboat.control.apiserver.discovery.ServerVersion.GIT_VERSION + ")"};
    }
  }
}
