package dev.tugboat.runtime.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves a container path under a rootfs the way the container will see it: symlinks in the image are followed
 * relative to the rootfs, and neither ".." nor an absolute link can climb out of it. Without this, an image whose
 * /dev is a link to /etc would have the runtime create directories and files in the host's /etc.
 */
final class SecureJoin {
  private static final int MAX_LINKS = 255;

  private SecureJoin() {}

  static Path join(Path root, String containerPath) {
    Deque<String> pending = new ArrayDeque<>(components(containerPath));
    List<String> resolved = new ArrayList<>();
    int links = 0;
    while (!pending.isEmpty()) {
      String part = pending.pollFirst();
      if (part.equals("..")) {
        if (!resolved.isEmpty()) resolved.remove(resolved.size() - 1);
        continue;
      }
      Path candidate = under(root, resolved).resolve(part);
      if (!Files.isSymbolicLink(candidate)) {
        resolved.add(part);
        continue;
      }
      if (++links > MAX_LINKS) throw new ContainerException("resolve \"" + containerPath + "\" in " + root + ": too many symlinks");
      String target;
      try {
        target = Files.readSymbolicLink(candidate).toString();
      } catch (IOException e) {
        throw new UncheckedIOException("readlink " + candidate + ": " + e, e);
      }
      if (target.startsWith("/")) resolved.clear();
      List<String> targetParts = components(target);
      for (int i = targetParts.size() - 1; i >= 0; i--) pending.addFirst(targetParts.get(i));
    }
    return under(root, resolved);
  }

  private static Path under(Path root, List<String> parts) {
    Path p = root;
    for (String part : parts) p = p.resolve(part);
    return p;
  }

  private static List<String> components(String path) {
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (!part.isEmpty() && !part.equals(".")) out.add(part);
    }
    return out;
  }
}
