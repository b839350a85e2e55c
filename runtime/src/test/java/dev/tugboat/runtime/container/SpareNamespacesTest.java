package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.nativebindings.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NoLeaks.class)
class SpareNamespacesTest {
  private static final int NEW = Linux.CLONE_NEWNET | Linux.CLONE_NEWIPC | Linux.CLONE_NEWUTS;

  private static String target(int fd) throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
  }

  private static String own(String type) throws Exception {
    return Files.readSymbolicLink(Path.of("/proc/self/ns/" + type)).toString();
  }

  @Test
  void fromTheSecondTakeOnFreshNamespacesAreMadeOnTheTeardownThreadAndTakenInsteadOfUnshared() throws Exception {
    try (SpareNamespaces spares = new SpareNamespaces(2)) {
      assertThat(spares.take(NEW)).isEqualTo(new SpareNamespaces.Taken(List.of(), NEW));
      Teardown.wake();
      Teardown.await();
      assertThat(spares.take(NEW).joins()).as("none made after a first take").isEmpty();
      Teardown.wake();
      Teardown.await();

      SpareNamespaces.Taken first = spares.take(NEW);
      SpareNamespaces.Taken second = spares.take(Linux.CLONE_NEWNET | Linux.CLONE_NEWNS);
      try {
        assertThat(first.unshareFlags()).isZero();
        assertThat(first.joins()).extracting(Spawner.Join::nstype)
            .containsExactly(Linux.CLONE_NEWNET, Linux.CLONE_NEWIPC, Linux.CLONE_NEWUTS);
        assertThat(target(first.fds().get(0))).startsWith("net:").isNotEqualTo(own("net"));
        assertThat(target(first.fds().get(1))).startsWith("ipc:").isNotEqualTo(own("ipc"));
        assertThat(target(first.fds().get(2))).startsWith("uts:").isNotEqualTo(own("uts"));
        // Only the types asked for; a mount namespace is never a spare.
        assertThat(second.unshareFlags()).isEqualTo(Linux.CLONE_NEWNS);
        assertThat(second.joins()).extracting(Spawner.Join::nstype).containsExactly(Linux.CLONE_NEWNET);
        assertThat(target(second.fds().get(0))).as("each spare is used once").isNotEqualTo(target(first.fds().get(0)));
      } finally {
        first.fds().forEach(Linux::closeQuietly);
        second.fds().forEach(Linux::closeQuietly);
      }
      Teardown.wake();
      Teardown.await();
    }
    // NoLeaks: closing closed every spare, and the teardown thread is back in the JVM's namespaces.
  }
}
