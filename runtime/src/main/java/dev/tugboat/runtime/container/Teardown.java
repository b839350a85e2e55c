package dev.tugboat.runtime.container;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work that can wait until a call has returned: emptying deleted containers' state directories, releasing an exited
 * container's mount namespace, making spare namespaces and cgroups. One daemon thread for the JVM, so that work never
 * lands on the path of a container start or exit.
 *
 * <p>Work handed over with {@link #soon} waits for the next {@link #wake}: a container start hands work over midway
 * and wakes this thread only when it returns, because a thread woken while the start goes on competes with it for
 * the CPU (on two busy cores that wake-up cost a start 0.1 ms median, 0.8 ms p90).
 */
final class Teardown {
  private static final Logger LOG = LoggerFactory.getLogger(Teardown.class);
  private static final ConcurrentLinkedQueue<Runnable> WORK = new ConcurrentLinkedQueue<>();
  private static volatile Thread thread = start();

  private Teardown() {}

  /** Runs {@code work} on the teardown thread, starting now. */
  static void later(Runnable work) {
    WORK.add(work);
    wake();
  }

  /** Runs {@code work} on the teardown thread after the next {@link #wake}. */
  static void soon(Runnable work) {
    WORK.add(work);
  }

  static void wake() {
    if (!WORK.isEmpty()) LockSupport.unpark(thread);
  }

  private static Thread start() {
    Thread t = new Thread(Teardown::loop, "tug-teardown");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Returns once everything handed over so far is done. */
  static void await() {
    CountDownLatch done = new CountDownLatch(1);
    later(done::countDown);
    boolean interrupted = false;
    while (true) {
      try {
        done.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
  }

  private static void loop() {
    while (true) {
      Runnable work = WORK.poll();
      if (work == null) {
        LockSupport.park(Teardown.class);
        continue;
      }
      try {
        work.run();
      } catch (RuntimeException | Error e) {
        // From Spawner.returnToOwnNamespaces: this thread is stuck in other namespaces, so a new one takes over.
        if (e instanceof IllegalStateException) {
          LOG.error("teardown thread ends", e);
          thread = start();
          return;
        }
        LOG.warn("teardown work failed", e);
      }
    }
  }
}
