package dev.tugboat.control.store.replication;

import dev.tugboat.nativebindings.Linux;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Lowers the CPU priority (Linux nice value) of the calling thread alone, where the machine lets us. */
final class ThreadNiceness {
  private static final Logger LOG = LoggerFactory.getLogger(ThreadNiceness.class);

  private ThreadNiceness() {}

  /**
   * Sets the calling thread's nice value to {@code nice} (0 normal, 19 lowest). Where that cannot be done (no
   * libc to bind, a container that forbids it) the thread keeps its priority: it is a preference, not a requirement.
   */
  static void lowerCurrentThread(int nice) {
    try {
      Linux.setCurrentThreadNice(nice);
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("cannot lower the priority of thread {}: {}", Thread.currentThread().getName(), e.toString());
    }
  }
}
