package dev.tugboat.nativebindings;

/** An eventfd, to wake a thread blocked in epoll. */
public final class EventFd implements AutoCloseable {
  private static final int EFD_CLOEXEC = Linux.O_CLOEXEC;
  private static final int EFD_NONBLOCK = Linux.O_NONBLOCK;
  private final int fd;

  public EventFd() {
    fd = Linux.check(Linux.LIBC.eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK)");
  }

  public int fd() {
    return fd;
  }

  public void signal() {
    Linux.write(fd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0});
  }

  /** Resets the counter; nothing happens if it was not signalled. */
  public void drain() {
    Linux.LIBC.read(fd, new byte[8], 8);
  }

  @Override
  public void close() {
    Linux.closeQuietly(fd);
  }
}
