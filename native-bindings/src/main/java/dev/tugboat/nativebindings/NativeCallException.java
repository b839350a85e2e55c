package dev.tugboat.nativebindings;

/**
 * A failed system call: the message is the call as written in C, its arguments and the errno name, as in
 * {@code mount("overlay", "/run/x/rootfs", "overlay", MS_RDONLY, "lowerdir=..."): EINVAL}.
 */
public final class NativeCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String call;
  private final int errno;

  public NativeCallException(String call, int errno) {
    super(call + ": " + Errnos.name(errno));
    this.call = call;
    this.errno = errno;
  }

  /** The call with its arguments, without the errno. */
  public String call() {
    return call;
  }

  public int errno() {
    return errno;
  }

  public String errnoName() {
    return Errnos.name(errno);
  }
}
