package dev.tugboat.runtime.container;

import java.util.List;

/**
 * Where a container's root filesystem comes from: the bundle's root.path bound onto itself, or an overlay of image
 * layers (lower dirs, top first, as overlayfs takes them) with a writable upper and work dir, mounted at target.
 */
public sealed interface Rootfs {
  /** The directory that becomes the container's "/". */
  String target();

  record Bind(String target) implements Rootfs {}

  record Overlay(List<String> lowerDirs, String upperDir, String workDir, String target) implements Rootfs {
    public Overlay {
      if (lowerDirs.isEmpty()) throw new IllegalArgumentException("overlay rootfs needs at least one lower dir");
      lowerDirs = List.copyOf(lowerDirs);
    }

    String data() {
      return "lowerdir=" + String.join(":", lowerDirs) + ",upperdir=" + upperDir + ",workdir=" + workDir;
    }
  }
}
