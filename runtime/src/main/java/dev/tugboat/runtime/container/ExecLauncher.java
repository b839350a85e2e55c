package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.PosixSpawn;
import dev.tugboat.nativebindings.TugInit;
import dev.tugboat.runtime.oci.NamespaceType;
import dev.tugboat.runtime.oci.Spec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Starts a process inside a running container: a spawner thread joins the container's IPC, UTS, network and cgroup
 * namespaces (those that differ from ours) and, last, its PID namespace; tug-init joins the mount namespace itself
 * (the JVM thread could not and still reach tug-init's binary) and waits on a pipe until Java has moved it into the
 * container's cgroup.
 */
final class ExecLauncher {
  private static final List<NamespaceType> JOIN_ORDER = List.of(
      NamespaceType.IPC, NamespaceType.UTS, NamespaceType.NETWORK, NamespaceType.CGROUP);

  private final Path tugInitDir;
  private final CgroupSupport cgroups;
  private final PidWatcher watcher;

  ExecLauncher(Path tugInitDir, CgroupSupport cgroups, PidWatcher watcher) {
    this.tugInitDir = tugInitDir;
    this.cgroups = cgroups;
    this.watcher = watcher;
  }

  ExecProcess launch(ContainerRecord record, Spec.Process process, Stdio stdio, int consoleSocket) {
    String what = "container \"" + record.id() + "\"";
    List<Integer> toClose = new ArrayList<>();
    int pid = -1;
    try {
      List<Spawner.Join> joins = new ArrayList<>();
      for (NamespaceType type : JOIN_ORDER) {
        Spawner.Join join = joinIfOther(record.pid(), type, toClose);
        if (join != null) joins.add(join);
      }
      Spawner.Join pidJoin = joinIfOther(record.pid(), NamespaceType.PID, toClose);
      int mountNs = Linux.open("/proc/" + record.pid() + "/ns/mnt", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      toClose.add(mountNs);
      if (!ProcStat.alive(record.pid(), record.pidStartTime())) throw new ContainerException(what + " is not running");
      int[] error;
      int[] start;
      int[] fds = stdio.open();
      List<Integer> childEnds = new ArrayList<>();
      try {
        error = Linux.pipe();
        toClose.add(error[0]);
        childEnds.add(error[1]);
        start = Linux.pipe();
        toClose.add(start[1]);
        childEnds.add(start[0]);
        Map<Integer, Integer> childFds = new LinkedHashMap<>();
        childFds.put(0, fds[0]);
        childFds.put(1, fds[1]);
        childFds.put(2, fds[2]);
        childFds.put(TugInitArgs.ERROR_FD, error[1]);
        childFds.put(TugInitArgs.START_FD, start[0]);
        childFds.put(TugInitArgs.MOUNT_NS_FD, mountNs);
        List<String> args = TugInitArgs.forExec(process);
        if (consoleSocket >= 0) {
          childFds.put(TugInitArgs.CONSOLE_FD, consoleSocket);
          args = TugInitArgs.withConsole(args);
        }
        PosixSpawn spawn = new PosixSpawn(TugInit.extractTo(tugInitDir).toString(), args,
            process.env(), childFds, true);
        pid = Spawner.launch("tug-exec-" + record.id(), new Spawner.Plan(joins, 0, null, false, pidJoin, spawn)).pid();
      } finally {
        // The child has its copies; ours must go, or EOF on the error pipe would never come.
        childEnds.forEach(Linux::closeQuietly);
        stdio.closeOpened(fds);
      }
      int pidfd = Linux.pidfdOpen(pid);
      String failure = new String(Linux.readAll(error[0])).trim();
      if (!failure.isEmpty()) {
        Linux.waitPidfd(pidfd, true, false);
        Linux.closeQuietly(pidfd);
        pid = -1;
        throw new ContainerException(what + ": exec: tug-init: " + failure);
      }
      if (record.cgroupPath() != null) {
        int execPid = pid;
        cgroups.open(record.cgroupPath()).ifPresent(c -> c.addProcess(execPid));
      }
      Linux.write(start[1], new byte[] {1});
      return new ExecProcess(pid, watcher.watch(pidfd));
    } catch (RuntimeException e) {
      if (pid > 0) ContainerRuntime.killAndReap(pid);
      throw e;
    } finally {
      toClose.forEach(Linux::closeQuietly);
    }
  }

  private static Spawner.Join joinIfOther(int pid, NamespaceType type, List<Integer> toClose) {
    try {
      Path theirs = Path.of("/proc/" + pid + "/ns/" + type.procName());
      Path ours = Path.of("/proc/self/ns/" + type.procName());
      if (Files.readSymbolicLink(theirs).equals(Files.readSymbolicLink(ours))) return null;
      int fd = Linux.open(theirs.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      toClose.add(fd);
      return new Spawner.Join(type.cloneFlag(), fd, theirs.toString());
    } catch (IOException e) {
      throw new ContainerException("read namespace " + type.procName() + " of pid " + pid + ": " + e, e);
    }
  }
}
