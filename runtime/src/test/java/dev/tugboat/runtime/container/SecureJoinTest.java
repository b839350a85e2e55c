package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecureJoinTest {
  @TempDir Path root;

  @BeforeEach
  void image() throws Exception {
    Files.createDirectories(root.resolve("usr/lib"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
    Files.createSymbolicLink(root.resolve("dev"), Path.of("/etc"));
    Files.createSymbolicLink(root.resolve("up"), Path.of("../../../.."));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
  }

  @Test
  void plainPathsStayAsTheyAre() {
    assertThat(SecureJoin.join(root, "/proc")).isEqualTo(root.resolve("proc"));
    assertThat(SecureJoin.join(root, "/")).isEqualTo(root);
    assertThat(SecureJoin.join(root, "//a/./b/")).isEqualTo(root.resolve("a/b"));
  }

  @Test
  void relativeLinksResolveInsideTheRootfs() {
    assertThat(SecureJoin.join(root, "/lib/x")).isEqualTo(root.resolve("usr/lib/x"));
  }

  @Test
  void absoluteLinksAreRelativeToTheRootfsNotTheHost() {
    assertThat(SecureJoin.join(root, "/dev/pts")).isEqualTo(root.resolve("etc/pts"));
  }

  @Test
  void dotDotNeverClimbsAboveTheRootfs() {
    assertThat(SecureJoin.join(root, "/../../etc")).isEqualTo(root.resolve("etc"));
    assertThat(SecureJoin.join(root, "/up/etc")).isEqualTo(root.resolve("etc"));
  }

  @Test
  void linkLoopsAreAnError() {
    assertThatThrownBy(() -> SecureJoin.join(root, "/loop/x")).hasMessageContaining("too many symlinks");
  }
}
