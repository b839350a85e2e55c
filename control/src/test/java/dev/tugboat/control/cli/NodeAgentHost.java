package dev.tugboat.control.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Pods of a real node agent (bin/tug node) in tests: whether this machine can run one, and what a pod's containers
 * leave on the host if the agent fails to clean up (cgroups, processes).
 */
final class NodeAgentHost {
  private NodeAgentHost() {}

  /** Skips the calling test class, with the reason, where the agent cannot run its containers. */
  static void assumeANodeAgentCanRun(Path tug) {
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "runs containers: needs root");
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "needs Debian's busybox-static");
    try (Stream<Path> jars = Files.list(tug.getParent().getParent().resolve("runtime/target"))) {
      Assumptions.assumeTrue(jars.anyMatch(p -> p.getFileName().toString().matches("runtime-.*\\.jar")),
          "bin/tug node needs the runtime module built (mvn package)");
    } catch (IOException e) {
      Assumptions.abort("bin/tug node needs the runtime module built (mvn package)");
    }
  }

  /** The pod's cgroups under the tugboat parent, in every v1 hierarchy or the unified one. */
  static List<Path> podCgroups(String uid) throws IOException {
    List<Path> found = new ArrayList<>();
    try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path controller : controllers.toList()) {
        Path parent = controller.resolve("tugboat");
        if (!Files.isDirectory(parent)) parent = Path.of("/sys/fs/cgroup/tugboat");
        if (!Files.isDirectory(parent)) continue;
        try (Stream<Path> children = Files.list(parent)) {
          children.filter(p -> p.getFileName().toString().startsWith(uid)).forEach(found::add);
        }
      }
    }
    return found;
  }

  /** A zombie has ended: only its parent's wait is missing, and that parent may be the test's own JVM. */
  static boolean exitedOrZombie(String pid) {
    try {
      return Files.readAllLines(Path.of("/proc", pid, "status")).stream().anyMatch(l -> l.matches("State:\\s+Z.*"));
    } catch (IOException gone) {
      return true;
    }
  }
}
