package dev.tugboat.nativebindings;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jnr.ffi.LibraryLoader;
import jnr.ffi.LibraryOption;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Checked Linux system calls. Each method does one call; a failure throws {@link NativeCallException} naming the call,
 * its arguments and the errno. Namespace, mount and fs-root calls act on the calling thread only.
 */
public final class Linux {
  public static final int CLONE_FS = 0x00000200;
  public static final int CLONE_NEWNS = 0x00020000;
  public static final int CLONE_NEWCGROUP = 0x02000000;
  public static final int CLONE_NEWUTS = 0x04000000;
  public static final int CLONE_NEWIPC = 0x08000000;
  public static final int CLONE_NEWUSER = 0x10000000;
  public static final int CLONE_NEWPID = 0x20000000;
  public static final int CLONE_NEWNET = 0x40000000;

  public static final int MNT_DETACH = 2;
  public static final int AT_FDCWD = -100;
  public static final int RENAME_NOREPLACE = 1;

  public static final int O_RDONLY = 0;
  public static final int O_WRONLY = 1;
  public static final int O_RDWR = 2;
  public static final int O_CREAT = 0100;
  public static final int O_EXCL = 0200;
  public static final int O_NOCTTY = 0400;
  public static final int O_TRUNC = 01000;
  public static final int O_APPEND = 02000;
  public static final int O_NONBLOCK = 04000;
  public static final int O_DIRECTORY = 0200000;
  public static final int O_CLOEXEC = 02000000;
  public static final int O_PATH = 010000000;

  public static final int S_IFCHR = 0020000;

  public static final int PRIO_PROCESS = 0;
  public static final int SIGKILL = 9;
  public static final int SIGTERM = 15;

  private static final int P_PIDFD = 3;
  private static final int WNOHANG = 1;
  private static final int WEXITED = 4;
  private static final int WNOWAIT = 0x01000000;
  private static final int CLD_EXITED = 1;
  private static final int CLD_KILLED = 2;
  private static final int CLD_DUMPED = 3;
  private static final long SYS_PIVOT_ROOT = 155;
  private static final int F_SETFD = 2;
  private static final int F_DUPFD_CLOEXEC = 1030;
  private static final int FD_CLOEXEC = 1;
  private static final int POLLIN = 1;

  static final LibC LIBC = LibraryLoader.create(LibC.class).option(LibraryOption.SaveError, true).load("c");
  static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

  private Linux() {}

  /** Loads every binding and whatever threads jnr-ffi starts lazily, so a thread in a new PID namespace (which can
   * no longer create threads) never has to. */
  public static void warmUp() {
    Pointer p = Memory.allocateDirect(RUNTIME, 128);
    LIBC.sigemptyset(p);
    LIBC.getpid();
    errno();
    // What an error message of a call made in a new PID namespace needs.
    OpenFlags.names(O_RDONLY);
    new NativeCallException("warm-up", 0).getMessage();
  }

  static int errno() {
    return RUNTIME.getLastError();
  }

  static int check(int result, String call) {
    return check(result, () -> call);
  }

  /** The call is described only when it failed: building the text of every call cost more than most calls. */
  static int check(int result, Supplier<String> call) {
    if (result < 0) {
      int errno = errno();
      throw new NativeCallException(call.get(), errno);
    }
    return result;
  }

  /** A C identifier or literal in an error message (a flag name, an octal mode): printed without quotes. */
  public record Symbol(String text) {
    @Override
    public String toString() {
      return text;
    }
  }

  static Symbol sym(String text) {
    return new Symbol(text);
  }

  static Symbol octal(int mode) {
    return new Symbol("0" + Integer.toOctalString(mode));
  }

  /** Formats a call for an error message: strings quoted, as in C source. */
  public static String call(String function, Object... args) {
    StringBuilder b = new StringBuilder(function).append('(');
    for (int i = 0; i < args.length; i++) {
      if (i > 0) b.append(", ");
      Object a = args[i];
      if (a == null) b.append("NULL");
      else if (a instanceof String s) b.append('"').append(s).append('"');
      else b.append(a);
    }
    return b.append(')').toString();
  }

  // Namespaces and the filesystem root of this thread

  public static void unshare(int flags) {
    check(LIBC.unshare(flags), () -> call("unshare", sym(Namespaces.flagNames(flags))));
  }

  public static void setns(int fd, int nstype, String describedAs) {
    check(LIBC.setns(fd, nstype), () -> call("setns", describedAs, sym(Namespaces.flagNames(nstype))));
  }

  public static void mount(String source, String target, String fstype, long flags, String data) {
    check(LIBC.mount(source, target, fstype, flags, data),
        call("mount", source, target, fstype, sym(MountFlags.names(flags)), data));
  }

  public static void umount2(String target, int flags) {
    check(LIBC.umount2(target, flags), () -> call("umount2", target, flags == MNT_DETACH ? sym("MNT_DETACH") : flags));
  }

  public static void pivotRoot(String newRoot, String putOld) {
    if (LIBC.syscall(SYS_PIVOT_ROOT, newRoot, putOld) < 0) {
      throw new NativeCallException(call("pivot_root", newRoot, putOld), errno());
    }
  }

  public static void chroot(String path) {
    check(LIBC.chroot(path), () -> call("chroot", path));
  }

  public static void chdir(String path) {
    check(LIBC.chdir(path), () -> call("chdir", path));
  }

  public static void fchdir(int fd) {
    check(LIBC.fchdir(fd), () -> call("fchdir", fd));
  }

  public static void sethostname(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    check(LIBC.sethostname(bytes, bytes.length), () -> call("sethostname", name));
  }

  public static void mkdir(String path, int mode) {
    check(LIBC.mkdir(path, mode), () -> call("mkdir", path, octal(mode)));
  }

  /** A character device node: {@code mknod(path, S_IFCHR|mode, makedev(major, minor))}. */
  public static void mknodChar(String path, int mode, int major, int minor) {
    long dev = ((major & 0xfffL) << 8) | (minor & 0xffL) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
    check(LIBC.mknod(path, S_IFCHR | mode, dev),
        call("mknod", path, sym("S_IFCHR|0" + Integer.toOctalString(mode)), major + ":" + minor));
    check(LIBC.chmod(path, mode), () -> call("chmod", path, octal(mode)));
  }

  public static void mkfifo(String path, int mode) {
    check(LIBC.mkfifo(path, mode), () -> call("mkfifo", path, octal(mode)));
    check(LIBC.chmod(path, mode), () -> call("chmod", path, octal(mode)));
  }

  /** rename(2) that fails with EEXIST instead of replacing {@code to} (even an empty directory): renameat2 NOREPLACE. */
  public static void renameNoReplace(String from, String to) {
    check(LIBC.renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE),
        call("renameat2", sym("AT_FDCWD"), from, sym("AT_FDCWD"), to, sym("RENAME_NOREPLACE")));
  }

  public static void symlink(String target, String linkPath) {
    check(LIBC.symlink(target, linkPath), () -> call("symlink", target, linkPath));
  }

  // File descriptors

  public static int open(String path, int flags, int mode) {
    return check(LIBC.open(path, flags, mode), () -> call("open", path, sym(OpenFlags.names(flags))));
  }

  public static void close(int fd) {
    check(LIBC.close(fd), () -> call("close", fd));
  }

  /** {@code fcntl(fd, F_DUPFD_CLOEXEC, 0)}: a close-on-exec duplicate, so it never leaks into a spawned process. */
  public static int dup(int fd) {
    return check(LIBC.fcntl(fd, F_DUPFD_CLOEXEC, 0), () -> call("fcntl", fd, sym("F_DUPFD_CLOEXEC"), 0));
  }

  /** Closes without reporting: for clean-up paths that already carry an error. */
  public static void closeQuietly(int fd) {
    if (fd >= 0) LIBC.close(fd);
  }

  /** {@code pipe2(O_CLOEXEC)}: [read end, write end]. */
  public static int[] pipe() {
    int[] fds = new int[2];
    check(LIBC.pipe2(fds, O_CLOEXEC), () -> call("pipe2", sym("O_CLOEXEC")));
    return fds;
  }

  public static void closeRange(int first, int last) {
    check(LIBC.close_range(first, last, 0), () -> call("close_range", first, last, 0));
  }

  public static void setCloseOnExec(int fd) {
    check(LIBC.fcntl(fd, F_SETFD, FD_CLOEXEC), () -> call("fcntl", fd, sym("F_SETFD"), sym("FD_CLOEXEC")));
  }

  /** Reads up to {@code buffer.length} bytes, retrying on EINTR; 0 at end of file. */
  public static int read(int fd, byte[] buffer) {
    while (true) {
      long n = LIBC.read(fd, buffer, buffer.length);
      if (n >= 0) return (int) n;
      int errno = errno();
      if (errno != Errnos.EINTR) throw new NativeCallException(call("read", fd), errno);
    }
  }

  /** Reads until end of file. */
  public static byte[] readAll(int fd) {
    byte[] buffer = new byte[4096];
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int n;
    while ((n = read(fd, buffer)) > 0) out.write(buffer, 0, n);
    return out.toByteArray();
  }

  public static void write(int fd, byte[] bytes) {
    int off = 0;
    while (off < bytes.length) {
      byte[] rest = off == 0 ? bytes : java.util.Arrays.copyOfRange(bytes, off, bytes.length);
      long n = LIBC.write(fd, rest, rest.length);
      if (n < 0) {
        int errno = errno();
        if (errno == Errnos.EINTR) continue;
        throw new NativeCallException(call("write", fd, bytes.length), errno);
      }
      off += (int) n;
    }
  }

  /** Waits until one of {@code fds} is readable or hung up, or {@code timeoutMillis} passes (-1: forever).
   * Returns the indexes that are ready. */
  public static List<Integer> pollReadable(int[] fds, int timeoutMillis) {
    Pointer p = Memory.allocateDirect(RUNTIME, 8L * fds.length);
    for (int i = 0; i < fds.length; i++) {
      p.putInt(8L * i, fds[i]);
      p.putShort(8L * i + 4, (short) POLLIN);
      p.putShort(8L * i + 6, (short) 0);
    }
    while (true) {
      int n = LIBC.poll(p, fds.length, timeoutMillis);
      if (n >= 0) break;
      int errno = errno();
      if (errno != Errnos.EINTR) throw new NativeCallException(call("poll", fds.length + " fds", timeoutMillis), errno);
    }
    List<Integer> ready = new ArrayList<>();
    for (int i = 0; i < fds.length; i++) {
      if (p.getShort(8L * i + 6) != 0) ready.add(i);
    }
    return ready;
  }

  // Processes

  public static int getpid() {
    return LIBC.getpid();
  }

  public static int gettid() {
    return LIBC.gettid();
  }

  /**
   * Sets the calling thread's nice value (0 normal, 19 lowest). On Linux setpriority with a thread id applies to
   * that thread alone, which Java's thread priorities cannot do without a JVM flag that changes every thread.
   */
  public static void setCurrentThreadNice(int nice) {
    int tid = LIBC.gettid();
    check(LIBC.setpriority(PRIO_PROCESS, tid, nice), () -> call("setpriority", sym("PRIO_PROCESS"), tid, nice));
  }

  public static int pidfdOpen(int pid) {
    return check(LIBC.pidfd_open(pid, 0), () -> call("pidfd_open", pid, 0));
  }

  public static void pidfdSendSignal(int pidfd, int signal, String describedAs) {
    check(LIBC.pidfd_send_signal(pidfd, signal, null, 0), () -> call("pidfd_send_signal", describedAs, sym(Signals.name(signal))));
  }

  public static void kill(int pid, int signal) {
    check(LIBC.kill(pid, signal), () -> call("kill", pid, sym(Signals.name(signal))));
  }

  /**
   * Reaps the process behind {@code pidfd} if it has exited ({@code waitid(P_PIDFD, WEXITED|WNOHANG)}); empty while it
   * runs. {@code keep} leaves it a zombie (WNOWAIT), for a check that must not consume the status.
   */
  public static java.util.Optional<WaitStatus> waitPidfd(int pidfd, boolean block, boolean keep) {
    Pointer info = Memory.allocateDirect(RUNTIME, 128);
    info.setMemory(0, 128, (byte) 0);
    int options = WEXITED | (block ? 0 : WNOHANG) | (keep ? WNOWAIT : 0);
    while (true) {
      if (LIBC.waitid(P_PIDFD, pidfd, info, options) == 0) break;
      int errno = errno();
      if (errno != Errnos.EINTR) throw new NativeCallException(call("waitid", sym("P_PIDFD"), pidfd), errno);
    }
    int pid = info.getInt(16);
    if (pid == 0) return java.util.Optional.empty();
    int code = info.getInt(8);
    int status = info.getInt(24);
    return java.util.Optional.of(switch (code) {
      case CLD_EXITED -> WaitStatus.exited(status);
      case CLD_KILLED, CLD_DUMPED -> WaitStatus.signaled(status);
      default -> throw new IllegalStateException("waitid(P_PIDFD, " + pidfd + "): unexpected si_code " + code);
    });
  }

  public static void prctl(int option, long arg2) {
    check(LIBC.prctl(option, arg2, 0, 0, 0), () -> call("prctl", option, arg2));
  }
}
