package dev.tugboat.nativebindings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxTest {
  @TempDir Path dir;

  @Test
  void failedMountNamesTheCallItsArgumentsAndTheErrno() {
    String target = dir.resolve("missing").toString();
    assertThatThrownBy(() -> Linux.mount("overlay", target, "overlay", MountFlags.MS_RDONLY, "lowerdir=/nonexistent"))
        .isInstanceOf(NativeCallException.class)
        .hasMessage("mount(\"overlay\", \"" + target + "\", \"overlay\", MS_RDONLY, \"lowerdir=/nonexistent\"): ENOENT")
        .satisfies(e -> assertThat(((NativeCallException) e).errnoName()).isEqualTo("ENOENT"));
  }

  @Test
  void failedOpenNamesItsFlags() {
    String path = dir.resolve("nope").toString();
    assertThatThrownBy(() -> Linux.open(path, Linux.O_RDONLY | Linux.O_CLOEXEC, 0))
        .hasMessage("open(\"" + path + "\", O_RDONLY|O_CLOEXEC): ENOENT");
  }

  @Test
  void killOfAProcessThatDoesNotExistIsEsrch() {
    assertThatThrownBy(() -> Linux.kill(Integer.MAX_VALUE - 1, Linux.SIGTERM))
        .hasMessage("kill(" + (Integer.MAX_VALUE - 1) + ", SIGTERM): ESRCH");
  }

  @Test
  void unshareOfAUserNamespaceIsRefusedInAThreadedProcess() {
    // A measured fact the runtime's design rests on: user namespaces can only be created by a single-threaded process.
    assertThatThrownBy(() -> Linux.unshare(Linux.CLONE_NEWUSER))
        .hasMessage("unshare(CLONE_NEWUSER): EINVAL");
  }

  @Test
  void pipeCarriesBytesAndEndsWithEof() {
    int[] pipe = Linux.pipe();
    Linux.write(pipe[1], "hello".getBytes());
    Linux.close(pipe[1]);
    assertThat(new String(Linux.readAll(pipe[0]))).isEqualTo("hello");
    Linux.close(pipe[0]);
  }

  @Test
  void errnoNumbersHaveTheirCNames() {
    assertThat(Errnos.name(1)).isEqualTo("EPERM");
    assertThat(Errnos.name(22)).isEqualTo("EINVAL");
    assertThat(Errnos.name(4000)).isEqualTo("errno 4000");
  }

  @Test
  void signalsParseTheWaysRuncAcceptsThem() {
    assertThat(Signals.parse("SIGTERM")).isEqualTo(15);
    assertThat(Signals.parse("kill")).isEqualTo(9);
    assertThat(Signals.parse("2")).isEqualTo(2);
    assertThatThrownBy(() -> Signals.parse("SIGNOPE")).hasMessage("unknown signal \"SIGNOPE\"");
  }

  @Test
  void mkdirOfAnExistingDirectoryIsEexist() throws Exception {
    Files.createDirectories(dir.resolve("d"));
    assertThatThrownBy(() -> Linux.mkdir(dir.resolve("d").toString(), 0755)).hasMessageEndingWith(", 0755): EEXIST");
  }
}
