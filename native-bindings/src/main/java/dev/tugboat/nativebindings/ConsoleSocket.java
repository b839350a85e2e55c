package dev.tugboat.nativebindings;

import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * runc's console socket: a unix stream socket over which the runtime sends a container's pty master, in one message
 * whose payload is the pty's name and whose SCM_RIGHTS ancillary data is the master fd. Both ends are here: the
 * runtime's (connect, socketpair) and a receiver's (listen, accept, receive), as containerd's shim or a test uses it.
 */
public final class ConsoleSocket {
  private static final int AF_UNIX = 1;
  private static final int SOCK_STREAM = 1;
  private static final int SOCK_CLOEXEC = 02000000;
  private static final int SOL_SOCKET = 1;
  private static final int SCM_RIGHTS = 1;
  private static final int MSG_CMSG_CLOEXEC = 0x40000000;
  private static final int MSG_NOSIGNAL = 0x4000;
  private static final int SUN_PATH_MAX = 108;
  // x86_64 layouts: struct msghdr is 56 bytes, struct iovec 16, a cmsghdr carrying one int 24 (CMSG_SPACE(4)).
  private static final int MSGHDR_SIZE = 56;
  private static final int IOVEC_SIZE = 16;
  private static final int MSG_IOV = 16;
  private static final int MSG_IOVLEN = 24;
  private static final int MSG_CONTROL = 32;
  private static final int MSG_CONTROLLEN = 40;
  private static final int CMSG_SPACE_ONE_FD = 24;
  private static final int CMSG_LEN_ONE_FD = 20;
  private static final int CMSG_DATA = 16;
  private static final int NAME_MAX = 256;

  /** A received pty master (the receiver owns the fd) and the pty's name inside the container. */
  public record Received(int master, String name) {}

  private ConsoleSocket() {}

  /** A close-on-exec socket connected to the console socket at {@code path}. */
  public static int connect(String path) {
    int fd = Linux.check(Linux.LIBC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
        Linux.call("socket", Linux.sym("AF_UNIX"), Linux.sym("SOCK_STREAM|SOCK_CLOEXEC"), 0));
    byte[] address = address(path);
    if (Linux.LIBC.connect(fd, address, address.length) < 0) {
      int errno = Linux.errno();
      Linux.closeQuietly(fd);
      throw new NativeCallException(Linux.call("connect", "console socket " + path), errno);
    }
    return fd;
  }

  /** A listening socket bound at {@code path} (which must not exist), as a console-socket receiver makes it. */
  public static int listen(String path) {
    int fd = Linux.check(Linux.LIBC.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
        Linux.call("socket", Linux.sym("AF_UNIX"), Linux.sym("SOCK_STREAM|SOCK_CLOEXEC"), 0));
    byte[] address = address(path);
    if (Linux.LIBC.bind(fd, address, address.length) < 0 || Linux.LIBC.listen(fd, 16) < 0) {
      int errno = Linux.errno();
      Linux.closeQuietly(fd);
      throw new NativeCallException(Linux.call("bind+listen", path), errno);
    }
    return fd;
  }

  public static int accept(int listening) {
    while (true) {
      int fd = Linux.LIBC.accept4(listening, null, null, SOCK_CLOEXEC);
      if (fd >= 0) return fd;
      if (Linux.errno() != Errnos.EINTR) throw new NativeCallException(Linux.call("accept4", listening), Linux.errno());
    }
  }

  /** [one end, other end] of a close-on-exec unix stream socket pair: a console socket without a path. */
  public static int[] pair() {
    int[] fds = new int[2];
    Linux.check(Linux.LIBC.socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds),
        Linux.call("socketpair", Linux.sym("AF_UNIX"), Linux.sym("SOCK_STREAM|SOCK_CLOEXEC"), 0));
    return fds;
  }

  /** Sends {@code master} the way tug-init (and runc) do; for tests of receivers. */
  public static void send(int socket, int master, String name) {
    byte[] payload = name.getBytes(StandardCharsets.UTF_8);
    Pointer data = Memory.allocateDirect(Linux.RUNTIME, payload.length);
    data.put(0, payload, 0, payload.length);
    Pointer control = Memory.allocateDirect(Linux.RUNTIME, CMSG_SPACE_ONE_FD);
    control.setMemory(0, CMSG_SPACE_ONE_FD, (byte) 0);
    control.putLong(0, CMSG_LEN_ONE_FD);
    control.putInt(8, SOL_SOCKET);
    control.putInt(12, SCM_RIGHTS);
    control.putInt(CMSG_DATA, master);
    Pointer message = message(data, payload.length, control);
    while (Linux.LIBC.sendmsg(socket, message, MSG_NOSIGNAL) < 0) {
      if (Linux.errno() != Errnos.EINTR) {
        throw new NativeCallException(Linux.call("sendmsg", "console socket " + socket, name), Linux.errno());
      }
    }
    java.lang.ref.Reference.reachabilityFence(data);
    java.lang.ref.Reference.reachabilityFence(control);
  }

  /** Blocks for one message with a pty master; the master is close-on-exec. */
  public static Received receive(int socket) {
    Pointer data = Memory.allocateDirect(Linux.RUNTIME, NAME_MAX);
    Pointer control = Memory.allocateDirect(Linux.RUNTIME, CMSG_SPACE_ONE_FD);
    control.setMemory(0, CMSG_SPACE_ONE_FD, (byte) 0);
    Pointer message = message(data, NAME_MAX, control);
    long n;
    while ((n = Linux.LIBC.recvmsg(socket, message, MSG_CMSG_CLOEXEC)) < 0) {
      if (Linux.errno() != Errnos.EINTR) {
        throw new NativeCallException(Linux.call("recvmsg", "console socket " + socket), Linux.errno());
      }
    }
    java.lang.ref.Reference.reachabilityFence(data);
    long controlLength = message.getLong(MSG_CONTROLLEN);
    if (n == 0 || controlLength < CMSG_LEN_ONE_FD || control.getInt(8) != SOL_SOCKET
        || control.getInt(12) != SCM_RIGHTS) {
      throw new IllegalStateException("console socket " + socket + ": "
          + (n == 0 ? "closed without a pty master" : "message without an SCM_RIGHTS fd"));
    }
    byte[] name = new byte[(int) n];
    data.get(0, name, 0, name.length);
    return new Received(control.getInt(CMSG_DATA), new String(name, StandardCharsets.UTF_8));
  }

  /** A msghdr with its one iovec right behind it in the same memory; data and control stay the caller's to keep. */
  private static Pointer message(Pointer data, long dataLength, Pointer control) {
    Pointer message = Memory.allocateDirect(Linux.RUNTIME, MSGHDR_SIZE + IOVEC_SIZE);
    message.setMemory(0, MSGHDR_SIZE + IOVEC_SIZE, (byte) 0);
    message.putAddress(MSGHDR_SIZE, data.address());
    message.putLong(MSGHDR_SIZE + 8, dataLength);
    message.putAddress(MSG_IOV, message.address() + MSGHDR_SIZE);
    message.putLong(MSG_IOVLEN, 1);
    message.putAddress(MSG_CONTROL, control.address());
    message.putLong(MSG_CONTROLLEN, CMSG_SPACE_ONE_FD);
    return message;
  }

  private static byte[] address(String path) {
    byte[] p = path.getBytes(StandardCharsets.UTF_8);
    if (p.length >= SUN_PATH_MAX) {
      throw new IllegalArgumentException("console socket " + path + ": path longer than " + (SUN_PATH_MAX - 1) + " bytes");
    }
    byte[] a = new byte[2 + p.length + 1];
    a[0] = AF_UNIX;
    System.arraycopy(p, 0, a, 2, p.length);
    return a;
  }
}
