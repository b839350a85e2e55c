package dev.tugboat.runtime.cli;

import dev.tugboat.runtime.container.ContainerRuntime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** runc ps: the container's processes, as host `ps` lines (table) or a JSON array of pids. */
@Command(name = "ps", description = "list the processes of a container")
final class PsCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Parameters(index = "1..*", paramLabel = "<ps-args>") List<String> psArgs = new ArrayList<>();
  @Option(names = {"--format", "-f"}) String format = "table";

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    List<Integer> pids;
    try (ContainerRuntime r = runtime.open()) {
      pids = r.processes(id);
    }
    if (format.equals("json")) {
      out.println(pids.toString().replace(" ", ""));
      return 0;
    }
    if (!format.equals("table")) throw new IllegalArgumentException("--format: expected table or json, got \"" + format + "\"");
    List<String> command = new ArrayList<>(List.of("ps"));
    command.addAll(psArgs.isEmpty() ? List.of("-ef") : psArgs);
    Process ps = new ProcessBuilder(command).redirectErrorStream(true).start();
    String[] lines = new String(ps.getInputStream().readAllBytes()).split("\n");
    if (ps.waitFor() != 0) throw new IllegalStateException(String.join(" ", command) + ": " + String.join("\n", lines));
    int pidColumn = List.of(lines[0].trim().split("\\s+")).indexOf("PID");
    if (pidColumn < 0) throw new IllegalStateException(String.join(" ", command) + ": no PID column");
    Set<String> wanted = new HashSet<>();
    pids.forEach(p -> wanted.add(p.toString()));
    out.println(lines[0]);
    for (int i = 1; i < lines.length; i++) {
      String[] fields = lines[i].trim().split("\\s+");
      if (fields.length > pidColumn && wanted.contains(fields[pidColumn])) out.println(lines[i]);
    }
    return 0;
  }
}
