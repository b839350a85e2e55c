package dev.tugboat.nativebindings;

import static dev.tugboat.nativebindings.Linux.LIBC;
import static dev.tugboat.nativebindings.Linux.RUNTIME;

import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** An epoll instance watching fds for readability (a pidfd becomes readable when its process exits). */
public final class Epoll implements AutoCloseable {
  private static final int EPOLL_CLOEXEC = Linux.O_CLOEXEC;
  private static final int EPOLL_CTL_ADD = 1;
  private static final int EPOLL_CTL_DEL = 2;
  private static final int EPOLLIN = 1;
  private static final int EVENT_SIZE = 12; // struct epoll_event is packed on x86-64: u32 events, u64 data
  private static final int MAX_EVENTS = 64;

  private final int fd;
  private final Pointer control = Memory.allocateDirect(RUNTIME, EVENT_SIZE);
  private final Pointer events = Memory.allocateDirect(RUNTIME, (long) EVENT_SIZE * MAX_EVENTS);

  public Epoll() {
    fd = Linux.check(LIBC.epoll_create1(EPOLL_CLOEXEC), "epoll_create1(EPOLL_CLOEXEC)");
  }

  public synchronized void add(int watched) {
    control.putInt(0, EPOLLIN);
    control.putLong(4, watched);
    Linux.check(LIBC.epoll_ctl(fd, EPOLL_CTL_ADD, watched, control),
        () -> Linux.call("epoll_ctl", fd, Linux.sym("EPOLL_CTL_ADD"), watched));
  }

  public synchronized void remove(int watched) {
    Linux.check(LIBC.epoll_ctl(fd, EPOLL_CTL_DEL, watched, control),
        () -> Linux.call("epoll_ctl", fd, Linux.sym("EPOLL_CTL_DEL"), watched));
  }

  /** Waits for ready fds (timeout -1: forever) and returns them; empty on timeout or EINTR. */
  public int[] await(int timeoutMillis) {
    int n = LIBC.epoll_wait(fd, events, MAX_EVENTS, timeoutMillis);
    if (n < 0) {
      int errno = Linux.errno();
      if (errno == Errnos.EINTR) return new int[0];
      throw new NativeCallException(Linux.call("epoll_wait", fd, MAX_EVENTS, timeoutMillis), errno);
    }
    int[] ready = new int[n];
    for (int i = 0; i < n; i++) ready[i] = (int) events.getLong((long) EVENT_SIZE * i + 4);
    return ready;
  }

  @Override
  public void close() {
    Linux.closeQuietly(fd);
  }
}
