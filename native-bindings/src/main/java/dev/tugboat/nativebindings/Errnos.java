package dev.tugboat.nativebindings;

import jnr.constants.platform.Errno;

/** Errno numbers as their C names (ENOENT), the form every Tugboat error message uses. */
public final class Errnos {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int EINTR = 4;
  public static final int ECHILD = 10;
  public static final int EAGAIN = 11;
  public static final int EEXIST = 17;
  public static final int EINVAL = 22;
  public static final int EBUSY = 16;

  private Errnos() {}

  public static String name(int errno) {
    Errno known = Errno.valueOf(errno);
    return known == null || !known.defined() ? "errno " + errno : known.name();
  }
}
