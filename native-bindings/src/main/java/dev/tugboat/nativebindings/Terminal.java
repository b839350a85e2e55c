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

  /** A terminal's size in character cells (struct winsize without its unused pixel fields). */
  public record WindowSize(int rows, int columns) {}

  /** A new pseudo-terminal of this host: its master fd (close-on-exec) and the path of its slave. */
  public record Pty(int master, String slavePath) {}

  // x86_64 ioctl numbers from <asm-generic/ioctls.h>
  private static final long TIOCGWINSZ = 0x5413;
  private static final long TIOCSWINSZ = 0x5414;
  private static final long TIOCGPTN = 0x80045430L;
  private static final long TIOCSPTLCK = 0x40045431L;

  public static WindowSize windowSize(int fd) {
    byte[] winsize = new byte[8];
    Linux.check(Linux.LIBC.ioctl(fd, TIOCGWINSZ, winsize), Linux.call("ioctl", fd, Linux.sym("TIOCGWINSZ")));
    return new WindowSize(unsignedShort(winsize, 0), unsignedShort(winsize, 2));
  }

  public static void setWindowSize(int fd, WindowSize size) {
    byte[] winsize = new byte[8];
    putShort(winsize, 0, size.rows());
    putShort(winsize, 2, size.columns());
    Linux.check(Linux.LIBC.ioctl(fd, TIOCSWINSZ, winsize),
        Linux.call("ioctl", fd, Linux.sym("TIOCSWINSZ"), size.rows() + "x" + size.columns()));
  }

  /** Opens a pty in the host's /dev/ptmx and unlocks its slave (what posix_openpt, unlockpt and ptsname do). */
  public static Pty openPty() {
    int master = Linux.open("/dev/ptmx", Linux.O_RDWR | Linux.O_NOCTTY | Linux.O_CLOEXEC, 0);
    try {
      Linux.check(Linux.LIBC.ioctl(master, TIOCSPTLCK, new byte[4]), Linux.call("ioctl", master, Linux.sym("TIOCSPTLCK")));
      byte[] number = new byte[4];
      Linux.check(Linux.LIBC.ioctl(master, TIOCGPTN, number), Linux.call("ioctl", master, Linux.sym("TIOCGPTN")));
      int n = (number[0] & 0xff) | (number[1] & 0xff) << 8 | (number[2] & 0xff) << 16 | (number[3] & 0xff) << 24;
      return new Pty(master, "/dev/pts/" + n);
    } catch (RuntimeException e) {
      Linux.closeQuietly(master);
      throw e;
    }
  }

  private static int unsignedShort(byte[] b, int at) {
    return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
  }

  private static void putShort(byte[] b, int at, int value) {
    b[at] = (byte) value;
    b[at + 1] = (byte) (value >> 8);
  }

  public static void restore(int fd, byte[] saved) {
    Linux.check(Linux.LIBC.tcsetattr(fd, TCSANOW, saved), Linux.call("tcsetattr", fd, Linux.sym("TCSANOW")));
  }
}
