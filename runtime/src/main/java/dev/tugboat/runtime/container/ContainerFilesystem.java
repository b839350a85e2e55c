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
  /** The device nodes every container gets (runc's defaults): name, major, minor. */
  private static final List<Object[]> DEVICES = List.of(
      new Object[] {"null", 1, 3}, new Object[] {"zero", 1, 5}, new Object[] {"full", 1, 7},
      new Object[] {"random", 1, 8}, new Object[] {"urandom", 1, 9}, new Object[] {"tty", 5, 0});
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
    StepTimes.mark("f01 / propagation");
    String root = rootfs.target();
    if (rootfs instanceof Rootfs.Overlay o) {
      mkdirs(Path.of(root));
      Linux.mount("overlay", root, "overlay", 0, o.data());
    } else {
      Linux.mount(root, root, null, MS_BIND | MS_REC, null);
    }
    StepTimes.mark("f02 rootfs");
    boolean hasDev = false;
    for (Spec.Mount m : spec.mounts()) {
      if (m.type().equals("proc")) continue;
      mount(root, m);
      if (m.destination().equals("/dev")) hasDev = true;
    }
    StepTimes.mark("f03 mounts");
    if (hasDev) populateDev(root);
    StepTimes.mark("f04 dev");
    // runc creates a missing working directory rather than failing; so do we (before root goes read-only).
    mkdirs(Path.of(inside(root, spec.process().cwd())));
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
   * in, read-only as the options ask (runc's layout: the tmpfs itself stays writable).
   */
  private void mountCgroups(String target, MountOptions options) {
    mkdirs(Path.of(target));
    long flags = options.flags() & ~MountFlags.MS_RDONLY;
    Linux.mount("tmpfs", target, "tmpfs", flags, "mode=755");
    if (cgroup != null) {
      Path cgroupRoot = Path.of("/sys/fs/cgroup");
      for (Path own : cgroup.directories()) {
        if (!own.startsWith(cgroupRoot) || own.equals(cgroupRoot)) continue;
        Path inside = Path.of(target, cgroupRoot.relativize(own).getName(0).toString());
        mkdirs(inside);
        Linux.mount(own.toString(), inside.toString(), null, MS_BIND, null);
        Linux.mount(null, inside.toString(), null, MS_BIND | MS_REMOUNT | options.flags(), null);
      }
    }
  }

  private static void populateDev(String root) {
    Path dev = Path.of(inside(root, "/dev"));
    for (Object[] device : DEVICES) {
      Path node = dev.resolve((String) device[0]);
      if (Files.exists(node, LinkOption.NOFOLLOW_LINKS)) continue; // a /dev bound from elsewhere may have them
      Linux.mknodChar(node.toString(), 0666, (int) device[1], (int) device[2]);
    }
    for (String[] link : DEV_LINKS) symlink(link[0], dev.resolve(link[1]));
    if (Files.isDirectory(dev.resolve("pts"))) symlink("pts/ptmx", dev.resolve("ptmx"));
  }

  /** The host path of a container path, symlinks resolved inside the rootfs. */
  static String inside(String root, String containerPath) {
    return SecureJoin.join(Path.of(root), containerPath).toString();
  }

  private static void mkdirs(Path dir) {
    // Looked up first: createDirectories learns that a directory exists from an exception, whose stack trace cost
    // more than the mkdir, and the rootfs's mount points exist on every run but the first.
    if (Files.isDirectory(dir)) return;
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
