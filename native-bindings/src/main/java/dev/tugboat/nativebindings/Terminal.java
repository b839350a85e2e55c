package dev.tugboat.nativebindings;

/** The terminal modes of this process's own stdio, for proxying a container's pty the way runc run does. */
public final class Terminal {
  private static final int TCSANOW = 0;
  /** sizeof(struct termios) in glibc is 60; room to spare. */
  private static final int TERMIOS_SIZE = 64;

  private Terminal() {}

  public static boolean isTerminal(int fd) {
    return Linux.LIBC.isatty(fd) == 1;
  }

  /** Puts {@code fd} into raw mode (cfmakeraw) and returns its previous settings, for {@link #restore}. */
  public static byte[] makeRaw(int fd) {
    byte[] saved = new byte[TERMIOS_SIZE];
    Linux.check(Linux.LIBC.tcgetattr(fd, saved), Linux.call("tcgetattr", fd));
    byte[] raw = saved.clone();
    Linux.LIBC.cfmakeraw(raw);
    Linux.check(Linux.LIBC.tcsetattr(fd, TCSANOW, raw), Linux.call("tcsetattr", fd, Linux.sym("TCSANOW")));
    return saved;
  }

  public static void restore(int fd, byte[] saved) {
    Linux.check(Linux.LIBC.tcsetattr(fd, TCSANOW, saved), Linux.call("tcsetattr", fd, Linux.sym("TCSANOW")));
  }
}
