package dev.tugboat.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

/** OCI bundles for tests: `runc spec` as written, with a rootfs of Debian's static busybox plus its applet links. */
public final class TestBundles {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestBundles() {}

  public static void busyboxRootfs(Path rootfs) throws IOException {
    Files.createDirectories(rootfs.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    Process list = new ProcessBuilder("/bin/busybox", "--list").start();
    for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
      if (applet.isBlank() || applet.equals("busybox")) continue;
      Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  }

  /** A bundle dir with `runc spec`'s config.json (terminal off, the given args) and a busybox rootfs. */
  public static Path bundle(Path dir, String... args) throws Exception {
    return bundle(dir, spec -> {}, args);
  }

  public static Path bundle(Path dir, Consumer<ObjectNode> edit, String... args) throws Exception {
    Files.createDirectories(dir);
    Process p = new ProcessBuilder("runc", "spec").directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) throw new IllegalStateException("runc spec: " + out);
    ObjectNode spec = (ObjectNode) JSON.readTree(Files.readString(dir.resolve("config.json")));
    ObjectNode process = (ObjectNode) spec.get("process");
    process.put("terminal", false);
    var array = process.putArray("args");
    for (String a : args) array.add(a);
    edit.accept(spec);
    Files.writeString(dir.resolve("config.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(spec));
    busyboxRootfs(dir.resolve("rootfs"));
    return dir;
  }
}
