package dev.tugboat.runtime.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The node-side entry point: {@code tug runtime ...} (runc's command line), and room for {@code tug image} and
 * {@code tug node}, which the node agent and image store add as subcommands.
 */
@Command(name = "tug", mixinStandardHelpOptions = true, subcommands = {RuntimeCommand.class, ImageCommand.class, NodeCommand.class},
    description = "Tugboat node tools")
public final class RuntimeMain {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (for tests and embedding). */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new RuntimeMain());
    cli.setExecutionExceptionHandler(RuntimeCommand::handleError);
    // Like runc (urfave/cli), options end at the first positional: `exec ID sh -c ...` passes -c to sh.
    CommandLine runtime = cli.getSubcommands().get("runtime");
    runtime.getSubcommands().get("exec").setStopAtPositional(true);
    runtime.getSubcommands().get("ps").setStopAtPositional(true);
    return cli.execute(args);
  }
}
