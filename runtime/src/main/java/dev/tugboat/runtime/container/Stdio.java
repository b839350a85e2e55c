package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import java.nio.file.Path;

/**
 * Where a container process's stdin, stdout and stderr go: fds of this process to duplicate (runc passes its own),
 * or files (stdout and stderr appended, so an agent restart loses nothing), or nothing (/dev/null).
 */
public final class Stdio {
  private final int[] fds;
  private final String[] paths;

  private Stdio(int[] fds, String[] paths) {
    this.fds = fds;
    this.paths = paths;
  }

  /** This process's own fds 0, 1 and 2, as runc hands its stdio to a container. */
  public static Stdio inherit() {
    return fds(0, 1, 2);
  }

  public static Stdio fds(int in, int out, int err) {
    return new Stdio(new int[] {in, out, err}, null);
  }

  /** stdin from /dev/null, stdout and stderr appended to files (the same file twice is fine). */
  public static Stdio files(Path stdout, Path stderr) {
    return new Stdio(null, new String[] {"/dev/null", stdout.toString(), stderr.toString()});
  }

  public static Stdio discard() {
    return new Stdio(null, new String[] {"/dev/null", "/dev/null", "/dev/null"});
  }

  /** Opened fds of this process for the child's 0, 1, 2; close with {@link #closeOpened(int[])}. */
  int[] open() {
    if (fds != null) return fds.clone();
    int[] opened = new int[3];
    try {
      opened[0] = Linux.open(paths[0], Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      for (int i = 1; i < 3; i++) {
        opened[i] = Linux.open(paths[i], Linux.O_WRONLY | Linux.O_CREAT | Linux.O_APPEND | Linux.O_CLOEXEC, 0644);
      }
    } catch (RuntimeException e) {
      closeOpened(opened);
      throw e;
    }
    return opened;
  }

  void closeOpened(int[] opened) {
    if (fds != null) return;
    for (int fd : opened) if (fd > 0) Linux.closeQuietly(fd);
  }
}
