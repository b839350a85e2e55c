package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.KernelCgroups;
import dev.tugboat.runtime.container.ContainerRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tug runtime}: runc's command line over {@link ContainerRuntime}, so tools that drive runc can drive Tugboat
 * unchanged. Errors go to stderr and, with --log, to the log file (text or runc's JSON lines), and exit with 1.
 */
@Command(name = "runtime", versionProvider = RuntimeCommand.Version.class,
    description = "OCI container runtime with runc's command line",
    subcommands = {CreateCommand.class, StartCommand.class, StateCommand.class, KillCommand.class,
        DeleteCommand.class, RunCommand.class, ListCommand.class, PsCommand.class, ExecCommand.class,
        PauseCommand.class, ResumeCommand.class, UpdateCommand.class, EventsCommand.class})
public final class RuntimeCommand {

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show help")
  boolean help;

  // runc's -v (picocli's standard mixin would make it -V)
  @Option(names = {"-v", "--version"}, versionHelp = true, description = "print the version")
  boolean version;

  @Option(names = "--criu", description = "accepted for runc compatibility (no checkpoint/restore)")
  String criu;

  @Option(names = "--rootless", description = "true, false or auto (default); Tugboat runs as root only")
  String rootless = "auto";

  @Option(names = "--root", description = "state root (default ${DEFAULT-VALUE})")
  Path root = ContainerRuntime.DEFAULT_ROOT;

  @Option(names = "--log", description = "also write errors to this file")
  Path log;

  @Option(names = "--log-format", description = "text or json (default ${DEFAULT-VALUE})")
  String logFormat = "text";

  @Option(names = "--debug", description = "print stack traces with errors")
  boolean debug;

  @Option(names = "--systemd-cgroup", description = "not supported: Tugboat manages cgroupfs directly")
  boolean systemdCgroup;

  /** What `runc --version` prints, in its shape: tools read the first line's version and the spec line. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = RuntimeCommand.class.getPackage().getImplementationVersion();
      return new String[] {"tug runtime version " + (version != null ? version : "dev"),
          "spec: " + dev.tugboat.runtime.container.ContainerState.OCI_VERSION};
    }
  }

  ContainerRuntime open() {
    if (!rootless.equals("auto") && !rootless.equals("false")) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--rootless: only auto or false (Tugboat runs as root), got \"" + rootless + "\"");
    }
    if (systemdCgroup) throw new CommandLine.ParameterException(new CommandLine(this), "--systemd-cgroup: not supported");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      throw new CommandLine.ParameterException(new CommandLine(this), "--log-format: expected text or json, got \"" + logFormat + "\"");
    }
    return new ContainerRuntime(root, KernelCgroups.detect());
  }

  static int handleError(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    cli.getErr().println(message);
    if (debugEnabled(cli)) e.printStackTrace(cli.getErr());
    RuntimeCommand runtime = findRuntime(cli);
    if (runtime != null && runtime.log != null) runtime.writeLog(message);
    return 1;
  }

  private static boolean debugEnabled(CommandLine cli) {
    RuntimeCommand r = findRuntime(cli);
    return r != null && r.debug;
  }

  private static RuntimeCommand findRuntime(CommandLine cli) {
    for (CommandLine c = cli; c != null; c = c.getParent()) {
      if (c.getCommand() instanceof RuntimeCommand r) return r;
    }
    return null;
  }

  private void writeLog(String message) {
    String line = logFormat.equals("json")
        ? "{\"level\":\"error\",\"msg\":" + jsonString(message) + ",\"time\":\"" + Instant.now() + "\"}\n"
        : Instant.now() + " error: " + message + "\n";
    try {
      Files.writeString(log, line, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ignored) {
      // the error itself already went to stderr
    }
  }

  private static String jsonString(String s) {
    StringWriter w = new StringWriter();
    try (PrintWriter p = new PrintWriter(w)) {
      p.print('"');
      for (char c : s.toCharArray()) {
        switch (c) {
          case '"' -> p.print("\\\"");
          case '\\' -> p.print("\\\\");
          case '\n' -> p.print("\\n");
          default -> {
            if (c < 0x20) p.printf("\\u%04x", (int) c);
            else p.print(c);
          }
        }
      }
      p.print('"');
    }
    return w.toString();
  }
}
