package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Epoll;
import dev.tugboat.nativebindings.EventFd;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.NativeCallException;
import dev.tugboat.nativebindings.WaitStatus;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches process exits through pidfds in one event loop thread, however many containers there are. A pidfd turns
 * readable when its process exits; the watcher then reaps it if it is this JVM's child (waitid on the pidfd), so the
 * status is known, and completes the future. A process that is not our child (created by an earlier JVM) is not ours
 * to reap: its future completes empty, and the container's exit file (init mode) is the only record of its status.
 */
final class PidWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PidWatcher.class);

  private final Epoll epoll = new Epoll();
  private final EventFd wakeup = new EventFd();
  private final Map<Integer, CompletableFuture<Optional<WaitStatus>>> watched = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean closed;

  PidWatcher() {
    epoll.add(wakeup.fd());
    thread = new Thread(this::loop, "tug-pid-watcher");
    thread.setDaemon(true);
    thread.start();
  }

  /** Takes ownership of {@code pidfd} (it is closed after the exit) and returns the future of the exit. */
  CompletableFuture<Optional<WaitStatus>> watch(int pidfd) {
    CompletableFuture<Optional<WaitStatus>> exit = new CompletableFuture<>();
    watched.put(pidfd, exit);
    epoll.add(pidfd);
    return exit;
  }

  private void loop() {
    while (!closed) {
      for (int fd : epoll.await(-1)) {
        if (fd == wakeup.fd()) {
          wakeup.drain();
          continue;
        }
        CompletableFuture<Optional<WaitStatus>> exit = watched.remove(fd);
        if (exit == null) continue;
        Optional<WaitStatus> status = Optional.empty();
        try {
          epoll.remove(fd);
          status = Linux.waitPidfd(fd, false, false);
        } catch (NativeCallException e) {
          if (e.errno() != dev.tugboat.nativebindings.Errnos.ECHILD) LOG.warn("reap of pidfd {}: {}", fd, e.getMessage());
        } finally {
          Linux.closeQuietly(fd);
        }
        try {
          exit.complete(status);
        } catch (RuntimeException e) {
          LOG.warn("exit callback for pidfd {} failed", fd, e);
        }
      }
    }
  }

  /** Stops watching without reaping anything: the processes outlive this runtime, as after a JVM restart. */
  @Override
  public void close() {
    closed = true;
    wakeup.signal();
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (int fd : watched.keySet()) Linux.closeQuietly(fd);
    watched.clear();
    epoll.close();
    wakeup.close();
  }
}
