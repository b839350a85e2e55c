package dev.tugboat.nativebindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mount calls in a thread's private mount namespace: seen by that thread only, gone with it. */
class MountNamespaceTest {
  @TempDir Path dir;

  private static void inFreshThread(Runnable body) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread t = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failure.set(e);
      }
    });
    t.start();
    t.join();
    if (failure.get() instanceof Exception e) throw e;
    if (failure.get() instanceof Error e) throw e;
  }

  @Test
  void aTmpfsMountedInAThreadsOwnNamespaceNeverReachesTheHost() throws Exception {
    List<String> hostMounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
    Path target = Files.createDirectories(dir.resolve("mnt"));
    inFreshThread(() -> {
      Linux.unshare(Linux.CLONE_NEWNS);
      Linux.mount(null, "/", null, MountFlags.MS_REC | MountFlags.MS_PRIVATE, null);
      Linux.mount("tmpfs", target.toString(), "tmpfs", MountFlags.MS_NOSUID, "size=1m");
      try {
        Files.writeString(target.resolve("inside"), "x");
        assertThat(Files.readString(Path.of("/proc/thread-self/mountinfo"))).contains(target + " ");
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      Linux.umount2(target.toString(), Linux.MNT_DETACH);
      assertThat(target.resolve("inside")).doesNotExist();
    });
    assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).isEqualTo(hostMounts);
  }

  @Test
  void failedMountInAThreadNamesItsFlagsAndErrno() throws Exception {
    String missing = dir.resolve("missing").toString();
    assertThatThrownBy(() -> inFreshThread(() -> {
      Linux.unshare(Linux.CLONE_NEWNS);
      Linux.mount("tmpfs", missing, "tmpfs", MountFlags.MS_RDONLY | MountFlags.MS_NOEXEC, null);
    })).hasMessage("mount(\"tmpfs\", \"" + missing + "\", \"tmpfs\", MS_RDONLY|MS_NOEXEC, NULL): ENOENT");
  }

  @Test
  void pivotRootOntoADirectoryThatIsNoMountPointFailsNamingBothPaths() throws Exception {
    // The kernel answers EBUSY or EINVAL depending on version and propagation; the message names it either way.
    assertThatThrownBy(() -> inFreshThread(() -> {
      Linux.unshare(Linux.CLONE_NEWNS);
      Linux.pivotRoot(dir.toString(), dir.toString());
    })).isInstanceOf(NativeCallException.class)
        .hasMessageMatching("pivot_root\\(\"" + dir + "\", \"" + dir + "\"\\): E(BUSY|INVAL)");
  }

  @Test
  void dupGivesACloseOnExecCopyAndCloseRangeClosesIt() {
    int[] pipe = Linux.pipe();
    int copy = Linux.dup(pipe[1]);
    assertThat(copy).isNotIn(pipe[0], pipe[1]);
    Linux.closeRange(copy, copy);
    assertThatThrownBy(() -> Linux.close(copy)).hasMessage("close(" + copy + "): EBADF");
    Linux.close(pipe[0]);
    Linux.close(pipe[1]);
  }
}
