package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.PosixSpawn;
import java.util.List;

/**
 * Starts a process in namespaces from a warm JVM: a fresh platform thread enters the namespaces (namespaces are
 * per-thread), prepares what must be prepared inside them, and posix_spawns. The thread then ends, and the namespaces
 * live on in the child.
 *
 * <p>After a thread enters a new PID namespace it can no longer create threads (pthread_create fails with EINVAL), so
 * the PID namespace comes last, after every allocation of the spawn, right before the posix_spawn call.
 */
final class Spawner {
  /** A namespace to join: an open fd of its /proc/PID/ns file (or a bind mount of it). */
  record Join(int nstype, int fd, String describedAs) {}

  /**
   * @param joins namespaces to join first (not the PID namespace)
   * @param unshareFlags CLONE_NEW* flags of the namespaces to create (not CLONE_NEWPID)
   * @param insideNamespaces runs in the thread after joins and unshare: rootfs, mounts, hostname
   * @param pid create a PID namespace (true), join {@code pidJoin}, or neither
   */
  record Plan(List<Join> joins, int unshareFlags, Runnable insideNamespaces, boolean newPidNamespace, Join pidJoin,
      PosixSpawn spawn) {}

  private Spawner() {}

  static {
    Linux.warmUp();
  }

  /** Runs the plan; returns the child's pid. */
  static int launch(String threadName, Plan plan) {
    int[] pid = {-1};
    Throwable[] failure = {null};
    Thread thread = new Thread(() -> {
      try {
        pid[0] = runInThread(plan);
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, threadName);
    thread.setDaemon(true);
    thread.start();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    if (failure[0] instanceof RuntimeException r) throw r;
    if (failure[0] instanceof Error e) throw e;
    if (failure[0] != null) throw new ContainerException(failure[0].toString(), failure[0]);
    return pid[0];
  }

  private static int runInThread(Plan plan) {
    StepTimes.begin();
    boolean joinsMount = plan.joins().stream().anyMatch(j -> j.nstype() == Linux.CLONE_NEWNS);
    if (joinsMount) Linux.unshare(Linux.CLONE_FS);
    for (Join j : plan.joins()) Linux.setns(j.fd(), j.nstype(), j.describedAs());
    if (plan.unshareFlags() != 0) Linux.unshare(plan.unshareFlags());
    StepTimes.mark("t01 unshare");
    if (plan.insideNamespaces() != null) plan.insideNamespaces().run();
    StepTimes.mark("t02 filesystem");
    PosixSpawn.Prepared spawn = plan.spawn().prepare();
    if (plan.newPidNamespace()) Linux.unshare(Linux.CLONE_NEWPID);
    else if (plan.pidJoin() != null) Linux.setns(plan.pidJoin().fd(), Linux.CLONE_NEWPID, plan.pidJoin().describedAs());
    StepTimes.mark("t03 prepare+newpid");
    int pid = spawn.spawn();
    StepTimes.mark("t04 posix_spawn");
    return pid;
  }
}
