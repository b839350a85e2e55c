package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.PosixSpawn;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Starts a process in namespaces from a warm JVM: the calling thread enters the namespaces (namespaces are
 * per-thread), prepares what must be prepared inside them, posix_spawns, and goes back to the JVM's namespaces (setns
 * of this process's pidfd takes them all in one call); the namespaces live on in the child. No other thread is woken:
 * on a busy machine each hand-off to another thread and back waits for a CPU.
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

  /**
   * @param mountNamespace when the plan made a new mount namespace, an fd of it, or -1 (could not be opened). Held
   *     until the child has exited and been reaped, it keeps the namespace's teardown (unmounting the container's
   *     whole mount table, then waiting for an RCU grace period) out of the child's exit, where it delayed the exit
   *     notice by about 0.5 ms here; the holder closes it off the exit path.
   */
  record Launched(int pid, int mountNamespace) {}

  /** The spawner thread waiting for its next plan, if one is idle; at most one is kept. */
  private static final AtomicReference<Worker> IDLE = new AtomicReference<>();
  /** This process, whose namespaces a worker goes back to after each spawn (setns of a pidfd takes them all). */
  private static final int SELF_PIDFD;

  private Spawner() {}

  /** Starts, by loading this class, whatever must be started before a thread leaves the JVM's namespaces. */
  static void warmUp() {}

  static {
    Linux.warmUp();
    SELF_PIDFD = Linux.pidfdOpen(Linux.getpid());
    // Loaded now: once the child has called pivot_root, this thread's root is the container's (pivot_root moves the
    // root of every task that had the old one), so no class file, nor anything else by path, can be found from here
    // until it goes back to its own namespaces.
    new Launched(-1, -1).pid();
  }

  /**
   * Runs the plan; returns the child's pid. A platform thread runs it itself and goes back to its namespaces, root
   * and working directory before this returns; a virtual thread, whose namespaces are its carrier's, hands it to
   * a spawner thread.
   */
  static Launched launch(String threadName, Plan plan) {
    // Thread.isVirtual() is Java 21's; a virtual thread is a java.lang.VirtualThread.
    if (Thread.currentThread().getClass().getName().equals("java.lang.VirtualThread")) {
      return launchOnWorker(threadName, plan);
    }
    // Its own root and cwd, so this thread may leave its mount namespace and come back (setns: EINVAL otherwise).
    Linux.unshare(Linux.CLONE_FS);
    int cwd = Linux.open(".", Linux.O_PATH | Linux.O_DIRECTORY | Linux.O_CLOEXEC, 0);
    try {
      Launched launched;
      try {
        launched = runInThread(plan);
      } catch (RuntimeException | Error e) {
        returnToOwnNamespaces(plan, cwd);
        throw e;
      }
      returnToOwnNamespaces(plan, cwd);
      return launched;
    } finally {
      Linux.closeQuietly(cwd);
    }
  }

  /**
   * Takes the calling thread back to this process's namespaces of the CLONE_NEW* types in {@code entered}, from any
   * it joined or made; a thread that cannot must not go on.
   */
  static void returnToOwnNamespaces(int entered) {
    try {
      Linux.setns(SELF_PIDFD, entered, "pidfd of this process");
    } catch (RuntimeException e) {
      throw new IllegalStateException("thread " + Thread.currentThread().getName()
          + " cannot go back to the JVM's namespaces: " + e.getMessage(), e);
    }
  }

  private static void returnToOwnNamespaces(Plan plan, int cwd) {
    try {
      Linux.setns(SELF_PIDFD, entered(plan), "pidfd of this process");
      // setns into a mount namespace moves root and cwd to its root.
      if (cwd >= 0) Linux.fchdir(cwd);
      StepTimes.mark("t05 own namespaces");
    } catch (RuntimeException e) {
      // Never seen (root entering its own process's namespaces); this thread must not go on in a container's.
      throw new IllegalStateException("thread " + Thread.currentThread().getName()
          + " cannot go back to the JVM's namespaces after a spawn: " + e.getMessage(), e);
    }
  }

  private static int entered(Plan plan) {
    int entered = plan.unshareFlags() | Linux.CLONE_NEWNS;
    for (Join j : plan.joins()) entered |= j.nstype();
    if (plan.newPidNamespace() || plan.pidJoin() != null) entered |= Linux.CLONE_NEWPID;
    return entered;
  }

  private static Launched launchOnWorker(String threadName, Plan plan) {
    Worker worker = IDLE.getAndSet(null);
    if (worker == null) worker = new Worker();
    CompletableFuture<Launched> pid = worker.submit(plan, threadName);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return pid.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof RuntimeException r) throw r;
          if (cause instanceof Error err) throw err;
          throw new ContainerException(cause.toString(), cause);
        }
      }
    } finally {
      if (interrupted) Thread.currentThread().interrupt();
    }
  }

  /**
   * A spawner thread for virtual threads, kept for the next container (a new thread waited for a CPU 0.6 ms median,
   * 80 ms p90, here under load). After each spawn it goes back to this process's namespaces before it takes the next
   * plan, so no thread of the JVM stays in a container's namespaces; should that fail, it ends instead.
   */
  private static final class Worker implements Runnable {
    private final SynchronousQueue<Job> jobs = new SynchronousQueue<>();
    private final Thread thread;

    private record Job(Plan plan, String name, CompletableFuture<Launched> pid) {}

    Worker() {
      thread = new Thread(this, "tug-spawner");
      thread.setDaemon(true);
      thread.start();
    }

    CompletableFuture<Launched> submit(Plan plan, String name) {
      CompletableFuture<Launched> pid = new CompletableFuture<>();
      Job job = new Job(plan, name, pid);
      boolean interrupted = false;
      while (true) {
        try {
          jobs.put(job);
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) Thread.currentThread().interrupt();
      return pid;
    }

    @Override
    public void run() {
      try {
        // A mount namespace can only be entered by a thread with its own root and cwd (setns: EINVAL otherwise).
        Linux.unshare(Linux.CLONE_FS);
      } catch (RuntimeException e) {
        take().pid().completeExceptionally(e);
        return;
      }
      while (true) {
        Job job = take();
        StepTimes.begin();
        thread.setName(job.name());
        Launched launched = null;
        Throwable failure = null;
        try {
          launched = runInThread(job.plan());
        } catch (Throwable t) {
          failure = t;
        }
        boolean back = returnToOwnNamespaces(job.plan(), failure);
        thread.setName("tug-spawner");
        if (failure != null) job.pid().completeExceptionally(failure);
        else job.pid().complete(launched);
        if (!back || !IDLE.compareAndSet(null, this)) return;
      }
    }

    private Job take() {
      while (true) {
        try {
          return jobs.take();
        } catch (InterruptedException e) {
          // nobody interrupts a spawner thread on purpose: keep waiting
        }
      }
    }

    private static boolean returnToOwnNamespaces(Plan plan, Throwable failure) {
      try {
        Spawner.returnToOwnNamespaces(plan, -1);
        return true;
      } catch (RuntimeException e) {
        if (failure != null) failure.addSuppressed(e);
        return false;
      }
    }
  }

  private static Launched runInThread(Plan plan) {
    boolean joinsMount = plan.joins().stream().anyMatch(j -> j.nstype() == Linux.CLONE_NEWNS);
    if (joinsMount) Linux.unshare(Linux.CLONE_FS);
    for (Join j : plan.joins()) Linux.setns(j.fd(), j.nstype(), j.describedAs());
    if (plan.unshareFlags() != 0) Linux.unshare(plan.unshareFlags());
    // Opened before the spawn: afterwards the child's pivot_root may move this thread's root too.
    int mountNamespace = (plan.unshareFlags() & Linux.CLONE_NEWNS) != 0 ? ownMountNamespace() : -1;
    StepTimes.mark("t01 unshare");
    try {
      if (plan.insideNamespaces() != null) plan.insideNamespaces().run();
      StepTimes.mark("t02 filesystem");
      PosixSpawn.Prepared spawn = plan.spawn().prepare();
      if (plan.newPidNamespace()) Linux.unshare(Linux.CLONE_NEWPID);
      else if (plan.pidJoin() != null) Linux.setns(plan.pidJoin().fd(), Linux.CLONE_NEWPID, plan.pidJoin().describedAs());
      StepTimes.mark("t03 prepare+newpid");
      int pid = spawn.spawn();
      StepTimes.mark("t04 posix_spawn");
      return new Launched(pid, mountNamespace);
    } catch (RuntimeException | Error e) {
      Linux.closeQuietly(mountNamespace);
      throw e;
    }
  }

  /** An fd of the mount namespace this thread has just made, or -1: without it, only the exit gets slower. */
  private static int ownMountNamespace() {
    try {
      return Linux.open("/proc/thread-self/ns/mnt", Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
    } catch (RuntimeException e) {
      return -1;
    }
  }
}
