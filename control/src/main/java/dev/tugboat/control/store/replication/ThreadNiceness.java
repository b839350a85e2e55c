package dev.tugboat.control.store.replication;

import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the CPU priority (Linux nice value) of the calling thread alone. Java's thread priorities do nothing on
 * Linux unless a JVM flag turns them on for every thread at once, and then they raise the JVM's own threads too.
 */
final class ThreadNiceness {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNiceness.class);
  private static final int PRIO_PROCESS = 0;

  /** The two libc calls needed: a thread's id, and setpriority, which on Linux applies to that one thread. */
  public interface LibC {
    int gettid();

    int setpriority(int which, int who, int prio);
  }

  private ThreadNiceness() {}

  /**
   * Sets the calling thread's nice value to {@code nice} (0 normal, 19 lowest). Where that cannot be done (not Linux,
   * an old libc) the thread keeps its priority: it is a preference, not a requirement.
   */
  static void lowerCurrentThread(int nice) {
    try {
      LibC libc = LibraryLoader.create(LibC.class).load("c");
      if (libc.setpriority(PRIO_PROCESS, libc.gettid(), nice) != 0) {
        LOG.debug("setpriority({}) of thread {} failed", nice, Thread.currentThread().getName());
      }
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("cannot lower the priority of thread {}: {}", Thread.currentThread().getName(), e.toString());
    }
  }
}
