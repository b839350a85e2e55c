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

  /** Reads and resets the counter: how many signals since the last read (0 if none). */
  public long take() {
    byte[] value = new byte[8];
    if (Linux.LIBC.read(fd, value, 8) != 8) return 0;
    return java.nio.ByteBuffer.wrap(value).order(java.nio.ByteOrder.nativeOrder()).getLong();
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
