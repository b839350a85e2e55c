package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Asserts a test left nothing behind: no new mounts in this JVM's mount table, no test container cgroups under
 * /sys/fs/cgroup/{every hierarchy}/tugboat (ids start with "rt-" or "rtcli-"), no child processes of this JVM, no thread of it in another namespace and no
 * open namespace fd.
 */
final class NoLeaks implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NoLeaks.class);

  record Snapshot(List<String> mounts, Set<String> cgroups, Set<String> children, Set<String> threadNamespaces,
      Set<String> namespaceFds) {}

  static Snapshot take() {
    // Mount namespaces of exited containers are let go, and deleted state emptied, on the teardown thread.
    Teardown.await();
    return new Snapshot(lines("/proc/self/mountinfo"), cgroups(), children(), threadNamespaces(), namespaceFds());
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("before", take());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    Snapshot before = context.getStore(NS).get("before", Snapshot.class);
    Snapshot after = take();
    assertThat(after.mounts()).as("mounts left behind").containsExactlyInAnyOrderElementsOf(before.mounts());
    assertThat(after.cgroups()).as("cgroups left behind").isEqualTo(before.cgroups());
    assertThat(after.children()).as("child processes left behind").isEqualTo(before.children());
    assertThat(after.threadNamespaces()).as("namespaces of JVM threads").isEqualTo(before.threadNamespaces());
    assertThat(after.namespaceFds()).as("open namespace fds").isEqualTo(before.namespaceFds());
  }

  private static List<String> lines(String file) {
    try {
      return Files.readAllLines(Path.of(file));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> cgroups() {
    Set<String> out = new TreeSet<>();
    List<Path> hierarchies;
    try (Stream<Path> list = Files.list(Path.of("/sys/fs/cgroup"))) {
      hierarchies = list.toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    // Every v1 hierarchy and the unified one: the runtime uses some, a cpuset limit adds cpuset.
    for (Path hierarchy : hierarchies) {
      Path parent = hierarchy.resolve("tugboat");
      if (!Files.isDirectory(parent)) continue;
      // Only this suite's cgroups (ids "rt-..."): other suites on the machine create and remove theirs meanwhile.
      try (Stream<Path> list = Files.list(parent)) {
        list.filter(p -> p.getFileName().toString().startsWith("rt-") || p.getFileName().toString().startsWith("rtcli-")).forEach(p -> out.add(p.toString()));
      } catch (IOException | java.io.UncheckedIOException e) {
        // a cgroup removed while listing
      }
    }
    return out;
  }

  private static Set<String> children() {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          for (String pid : Files.readString(t.resolve("children")).trim().split(" ")) {
            if (!pid.isEmpty()) out.add(pid + " " + comm(pid));
          }
        } catch (IOException threadGone) {
          // thread ended
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static String comm(String pid) {
    try {
      return Files.readString(Path.of("/proc", pid, "comm")).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  /** The distinct namespaces the JVM's threads are in (a spawner thread that never ended would add some). */
  private static Set<String> threadNamespaces() {
    Set<String> out = new TreeSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        for (String ns : List.of("mnt", "pid_for_children", "net", "uts", "ipc")) {
          try {
            out.add(Files.readSymbolicLink(t.resolve("ns").resolve(ns)).toString());
          } catch (IOException threadGone) {
            // thread ended
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out;
  }

  private static Set<String> namespaceFds() {
    Set<String> out = new TreeSet<>();
    List<Path> fds = new ArrayList<>();
    try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
      list.forEach(fds::add);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    for (Path fd : fds) {
      try {
        String target = Files.readSymbolicLink(fd).toString();
        if (target.matches("(mnt|pid|net|uts|ipc|cgroup|user):\\[\\d+]")) out.add(target);
      } catch (IOException closed) {
        // closed meanwhile
      }
    }
    return out;
  }
}
