package dev.tugboat.runtime.container;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Work that can wait until a call has returned: emptying deleted containers' state directories, and releasing the
 * last reference to an exited container's mount namespace. One daemon thread for the JVM, so that work never lands on
 * the path of a container start or exit.
 */
final class Teardown {
  private static final ExecutorService THREAD = Executors.newSingleThreadExecutor(task -> {
    Thread t = new Thread(task, "tug-teardown");
    t.setDaemon(true);
    return t;
  });

  private Teardown() {}

  static void later(Runnable work) {
    THREAD.execute(work);
  }

  /** Returns once everything handed over so far is done. */
  static void await() {
    try {
      THREAD.submit(() -> {}).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }
}
