package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ExecProcess;
import dev.tugboat.runtime.container.Stdio;
import dev.tugboat.runtime.oci.Spec;
import dev.tugboat.runtime.oci.SpecParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * runc exec: a new process in a running container, with the container's process settings unless overridden; in
 * the foreground it exits with the process's status.
 */
@Command(name = "exec", description = "run a process in a running container")
final class ExecCommand implements Callable<Integer> {
  @ParentCommand RuntimeCommand runtime;
  @Parameters(index = "0", paramLabel = "<container-id>") String id;
  @Parameters(index = "1..*", paramLabel = "<command>") List<String> command = new ArrayList<>();
  @Option(names = {"--process", "-p"}, description = "process.json with the whole process") Path processFile;
  @Option(names = {"--env", "-e"}) List<String> env = new ArrayList<>();
  @Option(names = "--cwd") String cwd;
  @Option(names = {"--user", "-u"}, description = "uid[:gid]") String user;
  @Option(names = {"--additional-gids", "-g"}) List<Long> additionalGids = new ArrayList<>();
  @Option(names = {"--detach", "-d"}) boolean detach;
  @Option(names = "--pid-file") Path pidFile;
  @Option(names = {"--tty", "-t"}) boolean tty;
  @Option(names = "--console-socket") String consoleSocket;
  @Option(names = "--no-new-privs") boolean noNewPrivs;
  @Option(names = {"--cap", "-c"}, description = "add a capability (CAP_...) to the bounding, effective and permitted sets")
  List<String> caps = new ArrayList<>();
  @Option(names = "--preserve-fds", description = "not supported (must be 0)") int preserveFds;
  @Option(names = "--cgroup", description = "not supported: the process joins the container's own cgroup") List<String> cgroups = new ArrayList<>();
  @Option(names = "--apparmor", description = "not supported") String apparmor;
  @Option(names = "--process-label", description = "not supported") String processLabel;
  @Option(names = "--ignore-paused", description = "not supported: exec in a paused container is refused") boolean ignorePaused;

  @Override
  public Integer call() throws Exception {
    refuseUnsupported();
    try (ContainerRuntime r = runtime.open()) {
      Spec.Process process = processFile != null ? SpecParser.parseProcess(Files.readString(processFile))
          : fromOptions(r.containerSpec(id).process());
      TerminalProxy proxy = process.terminal() && consoleSocket == null && !detach ? new TerminalProxy() : null;
      int console = consoleSocket != null ? ConsoleSocket.connect(consoleSocket)
          : proxy != null ? proxy.consoleSocket() : -1;
      try {
        // Installed before the process exists, so no signal or terminal resize in between is lost; a signal that
        // comes before its pid is known has no process to go to yet.
        java.util.concurrent.atomic.AtomicInteger execPid = new java.util.concurrent.atomic.AtomicInteger();
        if (!detach) {
          SignalForwarding.install(signal -> {
            try {
              if (execPid.get() > 0) Linux.kill(execPid.get(), signal);
            } catch (RuntimeException exited) {
              // nothing left to signal
            }
          }, proxy != null ? proxy::resize : () -> {});
        }
        ExecProcess exec = r.exec(id, process, Stdio.inherit(), console);
        execPid.set(exec.pid());
        if (proxy != null) proxy.attach();
        if (pidFile != null) Files.writeString(pidFile, Integer.toString(exec.pid()));
        if (detach) return 0;
        int status = exec.await().shellStatus();
        if (proxy != null) proxy.awaitOutput();
        return status;
      } finally {
        if (proxy != null) proxy.close();
        else Linux.closeQuietly(console);
      }
    }
  }

  /** runc's exec flags Tugboat has nothing behind: refused by name rather than ignored. */
  private void refuseUnsupported() {
    if (preserveFds != 0) throw new IllegalArgumentException("--preserve-fds: not supported");
    if (!cgroups.isEmpty()) throw new IllegalArgumentException("--cgroup: not supported (sub-cgroups)");
    if (apparmor != null && !apparmor.isEmpty()) throw new IllegalArgumentException("--apparmor: not supported");
    if (processLabel != null && !processLabel.isEmpty()) throw new IllegalArgumentException("--process-label: not supported");
    if (ignorePaused) throw new IllegalArgumentException("--ignore-paused: not supported (exec in a paused container)");
  }

  private Spec.Process fromOptions(Spec.Process base) {
    if (command.isEmpty()) throw new IllegalArgumentException("exec: a command is required (or --process)");
    List<String> environment = new ArrayList<>(base.env());
    for (String e : env) {
      if (e.indexOf('=') <= 0) throw new IllegalArgumentException("--env: expected NAME=value, got \"" + e + "\"");
      String name = e.substring(0, e.indexOf('=') + 1);
      environment.removeIf(existing -> existing.startsWith(name));
      environment.add(e);
    }
    Spec.User u = base.user();
    if (user != null) {
      String[] parts = user.split(":", 2);
      try {
        u = new Spec.User(Long.parseLong(parts[0]), parts.length > 1 ? Long.parseLong(parts[1]) : 0, u.additionalGids());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--user: expected uid[:gid], got \"" + user + "\"");
      }
    }
    if (!additionalGids.isEmpty()) u = new Spec.User(u.uid(), u.gid(), List.copyOf(additionalGids));
    Spec.Capabilities capabilities = base.capabilities();
    // null keeps every capability: nothing to add to
    for (String cap : caps) if (capabilities != null) capabilities = capabilities.plus(cap);
    return new Spec.Process(tty, u, List.copyOf(command), List.copyOf(environment), cwd != null ? cwd : base.cwd(),
        capabilities, base.rlimits(), base.noNewPrivileges() || noNewPrivs);
  }
}
