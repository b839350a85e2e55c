package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ContainerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list", aliases = "ls", description = "list containers")
final class ListCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Option(names = {"--format", "-f"}, description = "table or json") String format = "table";
  @Option(names = {"--quiet", "-q"}, description = "ids only") boolean quiet;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (ContainerRuntime r = runtime.open()) {
      List<ContainerState> states = r.list();
      if (quiet) {
        states.forEach(s -> out.println(s.id()));
      } else if (format.equals("json")) {
        out.println("[" + String.join(",", states.stream().map(s -> s.toJson(owner(r, s))).toList()) + "]");
      } else if (format.equals("table")) {
        out.printf("%-20s %-8s %-10s %-40s %-32s %s%n", "ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER");
        for (ContainerState s : states) {
          out.printf("%-20s %-8d %-10s %-40s %-32s %s%n", s.id(), s.status().specName().equals("stopped") ? 0 : s.pid(),
              s.status().specName(), s.bundle(), s.created(), owner(r, s));
        }
      } else {
        throw new IllegalArgumentException("--format: expected table or json, got \"" + format + "\"");
      }
    }
    return 0;
  }

  /** runc's list names the user owning the container's state directory (the one who created it, when rootless). */
  private static String owner(ContainerRuntime r, ContainerState s) {
    try {
      return Files.getOwner(r.root().resolve(s.id())).getName();
    } catch (IOException deletedMeanwhile) {
      return "";
    }
  }
}
