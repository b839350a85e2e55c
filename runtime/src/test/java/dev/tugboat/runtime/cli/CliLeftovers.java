package dev.tugboat.runtime.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What `tug runtime` tests check once every container is deleted: none of the ids they used has a cgroup left in any
 * v1 hierarchy or cgroup v2's unified one, or an entry under the state root.
 */
final class CliLeftovers {
  private final Set<String> ids = new TreeSet<>();

  /** Notes the container ids among a command line's arguments (this package's tests name theirs cli-... or rtcli-...). */
  void note(String... args) {
    for (String a : args) if (a.matches("(rt)?cli-[a-z0-9-]+")) ids.add(a);
  }

  void assertNoneLeft(Path root) throws IOException {
    Set<String> left = new TreeSet<>();
    try (Stream<Path> hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path hierarchy : hierarchies.toList()) {
        for (String id : ids) {
          if (Files.isDirectory(hierarchy.resolve("tugboat").resolve(id))) left.add(hierarchy.resolve("tugboat").resolve(id).toString());
        }
      }
    }
    for (String id : ids) if (Files.exists(root.resolve(id))) left.add(root.resolve(id).toString());
    assertThat(left).as("cgroups and state left behind").isEmpty();
  }
}
