package dev.tugboat.runtime.container;

import dev.tugboat.runtime.images.LayerUsers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The containers of a runtime root whose overlay rootfs has one of the given layers as a lower dir. The overlay is
 * mounted in the container's own mount namespace, so its lowerdir list is read where the kernel shows it: the super
 * options of the overlay mounts in /proc/PID/mountinfo of the container's process. A stopped container holds no mount.
 */
public final class ContainerLayerUsers implements LayerUsers {
  private final ContainerRuntime runtime;

  public ContainerLayerUsers(ContainerRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public List<String> usersOf(Set<Path> layerDirs) {
    List<String> users = new ArrayList<>();
    for (ContainerState state : runtime.list()) {
      if (state.status() == ContainerStatus.STOPPED || state.pid() <= 0) continue;
      if (lowerDirs(state.pid()).stream().anyMatch(layerDirs::contains)) users.add("container " + state.id());
    }
    return users;
  }

  /** Every lowerdir of every overlay mount the process sees. */
  static List<Path> lowerDirs(int pid) {
    List<Path> dirs = new ArrayList<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "mountinfo"));
    } catch (IOException exited) {
      return dirs;
    }
    for (String line : lines) {
      int dash = line.indexOf(" - ");
      if (dash < 0) continue;
      String[] tail = line.substring(dash + 3).split(" ");
      if (tail.length < 3 || !tail[0].equals("overlay")) continue;
      for (String option : tail[2].split(",")) {
        if (!option.startsWith("lowerdir=")) continue;
        for (String dir : option.substring("lowerdir=".length()).split(":")) {
          if (!dir.isEmpty()) dirs.add(Path.of(unescape(dir)));
        }
      }
    }
    return dirs;
  }

  /** mountinfo writes space, tab, newline and backslash as \\ooo octal escapes. */
  private static String unescape(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
