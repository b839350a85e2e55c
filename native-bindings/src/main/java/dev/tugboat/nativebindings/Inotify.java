package dev.tugboat.nativebindings;

/** An inotify instance watching files for changes (IN_MODIFY), to wait on with poll. */
public final class Inotify implements AutoCloseable {
  public static final int IN_MODIFY = 0x00000002;
  private static final int IN_CLOEXEC = Linux.O_CLOEXEC;
  private static final int IN_NONBLOCK = Linux.O_NONBLOCK;
  private final int fd;

  public Inotify() {
    fd = Linux.check(Linux.LIBC.inotify_init1(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1(IN_CLOEXEC|IN_NONBLOCK)");
  }

  public int fd() {
    return fd;
  }

  /** Watches {@code path} for modification. */
  public void watchModify(String path) {
    Linux.check(Linux.LIBC.inotify_add_watch(fd, path, IN_MODIFY),
        () -> Linux.call("inotify_add_watch", fd, path, Linux.sym("IN_MODIFY")));
  }

  /** Reads away the pending events; they only tell that something changed. */
  public void drain() {
    byte[] buffer = new byte[4096];
    while (Linux.LIBC.read(fd, buffer, buffer.length) > 0) {
      // more may be queued
    }
  }

  @Override
  public void close() {
    Linux.closeQuietly(fd);
  }
}
