package dev.tugboat.runtime.container;

import dev.tugboat.runtime.oci.Spec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Builds tug-init's command line (its protocol is documented at the top of tug-init.c) from a spec. */
final class TugInitArgs {
  /** Child fd of the error pipe, fixed by tug-init's protocol. */
  static final int ERROR_FD = 3;
  /** Child fd of the start pipe for exec; create uses the exec.fifo in the state directory instead. */
  static final int START_FD = 4;
  /** Child fd of the mount namespace an exec joins. */
  static final int MOUNT_NS_FD = 5;
  /** Child fd of the console socket, for a process with a terminal. */
  static final int CONSOLE_FD = 6;

  private TugInitArgs() {}

  /**
   * For the first process of a container: join its cgroup, pivot into rootfs, proc, masks, then wait on the state
   * dir's FIFO ({@code waitForStart}) or run at once.
   */
  static List<String> forCreate(Spec spec, String rootfs, String stateDir, boolean initMode,
      List<java.nio.file.Path> cgroupJoinFiles, boolean waitForStart) {
    List<String> a = new ArrayList<>();
    a.add("tug-init");
    a.add("-S");
    a.add(stateDir);
    for (java.nio.file.Path file : cgroupJoinFiles) {
      a.add("-j");
      a.add(file.toString());
    }
    boolean newMountNamespace = spec.linux().creates(dev.tugboat.runtime.oci.NamespaceType.MOUNT);
    if (newMountNamespace) {
      a.add("-r");
      a.add(rootfs);
      for (Spec.Mount m : spec.mounts()) {
        if (m.type().equals("proc")) {
          a.add("-p");
          a.add(m.destination());
        }
      }
      for (String p : spec.linux().maskedPaths()) {
        a.add("-m");
        a.add(p);
      }
      for (String p : spec.linux().readonlyPaths()) {
        a.add("-o");
        a.add(p);
      }
      if (spec.root().readonly()) a.add("-R");
    }
    addProcess(a, spec.process());
    if (waitForStart) {
      a.add("-f");
      a.add(StateDirectory.EXEC_FIFO);
    }
    // Created by tug-init after start, once the process is in its cgroup, so that cgroup is the namespace's root.
    if (spec.linux().creates(dev.tugboat.runtime.oci.NamespaceType.CGROUP)) a.add("-C");
    if (initMode) {
      a.add("-i");
      a.add("-x");
      a.add(StateDirectory.EXIT_FILE);
    }
    addCommand(a, spec.process());
    return a;
  }

  /** For a process joining a running container: setns into its mount namespace, wait on the start fd. */
  static List<String> forExec(Spec.Process process) {
    List<String> a = new ArrayList<>();
    a.add("tug-init");
    a.add("-M");
    a.add(Integer.toString(MOUNT_NS_FD));
    addProcess(a, process);
    a.add("-s");
    a.add(Integer.toString(START_FD));
    addCommand(a, process);
    return a;
  }

  /** tug-init's args for a process with a terminal: the pty master goes over {@link #CONSOLE_FD}. */
  static List<String> withConsole(List<String> args) {
    List<String> a = new ArrayList<>(args);
    a.addAll(1, List.of("-t", Integer.toString(CONSOLE_FD)));
    return a;
  }

  private static void addProcess(List<String> a, Spec.Process p) {
    for (Spec.Rlimit r : p.rlimits()) {
      a.add("-l");
      a.add(r.resource() + ":" + r.soft() + ":" + r.hard());
    }
    a.add("-u");
    a.add(Long.toString(p.user().uid()));
    a.add("-g");
    a.add(Long.toString(p.user().gid()));
    a.add("-G");
    a.add(p.user().additionalGids().isEmpty() ? ""
        : p.user().additionalGids().stream().map(String::valueOf).collect(Collectors.joining(",")));
    Spec.Capabilities c = p.capabilities();
    if (c != null) {
      a.add("-c");
      a.add(String.join(":", hex(c.bounding()), hex(c.effective()), hex(c.permitted()), hex(c.inheritable()),
          hex(c.ambient())));
    }
    if (p.noNewPrivileges()) a.add("-n");
    a.add("-d");
    a.add(p.cwd());
  }

  private static void addCommand(List<String> a, Spec.Process p) {
    a.add("--");
    a.add(p.args().get(0));
    a.addAll(p.args());
  }

  private static String hex(long mask) {
    return Long.toHexString(mask);
  }
}
