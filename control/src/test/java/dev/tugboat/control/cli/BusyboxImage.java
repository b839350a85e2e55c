package dev.tugboat.control.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OCI image layout of one layer: Debian's static busybox with its applet links, tarred by the real tar, so
 * {@code tug image import} can take it as a node's image.
 */
final class BusyboxImage {

  private BusyboxImage() {}

  static Path write(Path dir, String refName) throws IOException, InterruptedException {
    Path rootfs = dir.resolve("rootfs");
    Files.createDirectories(rootfs.resolve("bin"));
    for (String d : List.of("proc", "sys", "dev", "tmp", "etc", "root")) Files.createDirectories(rootfs.resolve(d));
    Files.copy(Path.of("/bin/busybox"), rootfs.resolve("bin/busybox"));
    Process list = new ProcessBuilder("/bin/busybox", "--list").start();
    for (String applet : new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
      if (applet.isBlank() || applet.equals("busybox")) continue;
      Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
    }
    list.waitFor();
    Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Path layer = dir.resolve("layer.tar");
    Process tar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-cf", layer.toString(), ".")
        .redirectErrorStream(true).start();
    String out = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (tar.waitFor() != 0) throw new IOException("tar: " + out);

    Path layout = dir.resolve("layout");
    byte[] layerBytes = Files.readAllBytes(layer);
    String layerDigest = blob(layout, layerBytes);
    JsonMapper json = JsonMapper.shared();
    byte[] config = json.writeValueAsBytes(Map.of("architecture", arch(), "os", "linux",
        "config", Map.of("Env", List.of("PATH=/bin"), "Cmd", List.of("sh"), "WorkingDir", "/"),
        "rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest))));
    String configDigest = blob(layout, config);
    byte[] manifest = json.writeValueAsBytes(Map.of("schemaVersion", 2,
        "mediaType", "application/vnd.oci.image.manifest.v1+json",
        "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", configDigest,
            "size", config.length),
        "layers", List.of(Map.of("mediaType", "application/vnd.oci.image.layer.v1.tar", "digest", layerDigest,
            "size", layerBytes.length))));
    String manifestDigest = blob(layout, manifest);
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.write(layout.resolve("index.json"), json.writeValueAsBytes(Map.of("schemaVersion", 2, "manifests",
        List.of(Map.of("mediaType", "application/vnd.oci.image.manifest.v1+json", "digest", manifestDigest,
            "size", manifest.length, "annotations", Map.of("org.opencontainers.image.ref.name", refName))))));
    return layout;
  }

  private static String arch() {
    String arch = System.getProperty("os.arch");
    return arch.equals("x86_64") || arch.equals("amd64") ? "amd64" : arch.equals("aarch64") ? "arm64" : arch;
  }

  private static String blob(Path layout, byte[] content) throws IOException {
    try {
      String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
      Path file = layout.resolve("blobs/sha256").resolve(hex);
      Files.createDirectories(file.getParent());
      Files.write(file, content);
      return "sha256:" + hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
