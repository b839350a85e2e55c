package dev.tugboat.runtime.container;

import static dev.tugboat.nativebindings.MountFlags.MS_BIND;
import static dev.tugboat.nativebindings.MountFlags.MS_PRIVATE;
import static dev.tugboat.nativebindings.MountFlags.MS_REC;
import static dev.tugboat.nativebindings.MountFlags.MS_REMOUNT;
import static dev.tugboat.nativebindings.MountFlags.MS_SLAVE;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.MountFlags;
import dev.tugboat.runtime.oci.Spec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds a container's mount table inside the spawner thread's fresh mount namespace: "/" made non-propagating, the
 * rootfs mounted, the spec's mounts (all but proc, which only tug-init inside the PID namespace can mount), and
 * /dev's standard nodes. Nothing here is visible outside the namespace, and it all vanishes with it.
 */
final class ContainerFilesystem {
  /** The device nodes every container gets, bound from the host's /dev (as runc does). */
  private static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");
  private static final List<String[]> DEV_LINKS = List.of(
      new String[] {"/proc/self/fd", "fd"}, new String[] {"/proc/self/fd/0", "stdin"},
      new String[] {"/proc/self/fd/1", "stdout"}, new String[] {"/proc/self/fd/2", "stderr"});

  private final Spec spec;
  private final Path bundle;
  private final Rootfs rootfs;
  private final ContainerCgroup cgroup;

  ContainerFilesystem(Spec spec, Path bundle, Rootfs rootfs, ContainerCgroup cgroup) {
    this.spec = spec;
    this.bundle = bundle;
    this.rootfs = rootfs;
    this.cgroup = cgroup;
  }

  /** Runs in the spawner thread after unshare(CLONE_NEWNS). */
  void build() {
    String propagation = spec.linux().rootfsPropagation();
    long rootPropagation = MS_REC | (propagation != null && propagation.contains("private") ? MS_PRIVATE : MS_SLAVE);
    Linux.mount(null, "/", null, rootPropagation, null);
    String root = rootfs.target();
    if (rootfs instanceof Rootfs.Overlay o) {
      mkdirs(Path.of(root));
      Linux.mount("overlay", root, "overlay", 0, o.data());
    } else {
      Linux.mount(root, root, null, MS_BIND | MS_REC, null);
    }
    boolean hasDev = false;
    for (Spec.Mount m : spec.mounts()) {
      if (m.type().equals("proc")) continue;
      mount(root, m);
      if (m.destination().equals("/dev")) hasDev = true;
    }
    if (hasDev) populateDev(root);
    if (spec.hostname() != null && !spec.hostname().isEmpty()) Linux.sethostname(spec.hostname());
  }

  private void mount(String root, Spec.Mount m) {
    String target = inside(root, m.destination());
    MountOptions options = MountOptions.parse(m.type(), m.options());
    if (options.bind()) {
      String source = Path.of(m.source()).isAbsolute() ? m.source() : bundle.resolve(m.source()).toString();
      if (Files.isDirectory(Path.of(source))) mkdirs(Path.of(target));
      else touch(Path.of(target));
      Linux.mount(source, target, null, options.flags() & (MS_BIND | MS_REC), null);
      if (options.bindRemountFlags() != 0) {
        Linux.mount(null, target, null, MS_BIND | MS_REMOUNT | options.bindRemountFlags(), null);
      }
    } else if (m.type().equals("cgroup")) {
      mountCgroups(target, options);
    } else {
      mkdirs(Path.of(target));
      Linux.mount(m.source() == null ? m.type() : m.source(), target, m.type(), options.flags(), options.data());
    }
    if (options.propagation() != 0) Linux.mount(null, target, null, options.propagation(), null);
  }

  /**
   * A cgroup v1 host: a tmpfs at the destination with, per hierarchy, the container's own cgroup directory bound
   * in (runc's layout), then everything made read-only as the options ask.
   */
  private void mountCgroups(String target, MountOptions options) {
    mkdirs(Path.of(target));
    long flags = options.flags() & ~MountFlags.MS_RDONLY;
    Linux.mount("tmpfs", target, "tmpfs", flags, "mode=755");
    if (cgroup != null) {
      try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
        for (Path h : hierarchies.toList()) {
          Path own = h.resolve(cgroup.path());
          if (!Files.isDirectory(own, LinkOption.NOFOLLOW_LINKS)) continue;
          Path inside = Path.of(target, h.getFileName().toString());
          mkdirs(inside);
          Linux.mount(own.toString(), inside.toString(), null, MS_BIND, null);
          Linux.mount(null, inside.toString(), null, MS_BIND | MS_REMOUNT | options.flags(), null);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("list /sys/fs/cgroup: " + e.getMessage(), e);
      }
    }
    if ((options.flags() & MountFlags.MS_RDONLY) != 0) {
      Linux.mount(null, target, null, MS_REMOUNT | options.flags(), null);
    }
  }

  private static void populateDev(String root) {
    for (String device : DEVICES) {
      Path node = Path.of(root, "dev", device);
      touch(node);
      Linux.mount("/dev/" + device, node.toString(), null, MS_BIND, null);
    }
    for (String[] link : DEV_LINKS) symlink(link[0], Path.of(root, "dev", link[1]));
    if (Files.isDirectory(Path.of(root, "dev", "pts"))) symlink("pts/ptmx", Path.of(root, "dev", "ptmx"));
  }

  /** The host path of a container path; ".." may not climb out of the rootfs. */
  static String inside(String root, String containerPath) {
    Path normal = Path.of("/").resolve(containerPath).normalize();
    if (normal.toString().contains("..")) {
      throw new ContainerException("mount destination \"" + containerPath + "\" leaves the rootfs");
    }
    return normal.toString().equals("/") ? root : root + normal;
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("mkdir -p " + dir + ": " + e, e);
    }
  }

  private static void touch(Path file) {
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectories(file.getParent());
        Files.createFile(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("create " + file + ": " + e, e);
    }
  }

  private static void symlink(String target, Path link) {
    try {
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException("symlink " + link + " -> " + target + ": " + e, e);
    }
  }
}
