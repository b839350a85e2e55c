package dev.tugboat.bench.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The bundles every runtime is measured on: one busybox-static root filesystem and the config.json that
 * {@code runc spec} writes (new pid, mount, uts, ipc and network namespaces), with the process, memory and pids
 * limits set. Runtimes differ only in the cgroup path, so that one runtime's cgroup never meets another's.
 */
public final class BusyboxBundle {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final List<String> APPLETS = List.of("sh", "true", "sleep", "cat", "ls", "ps", "echo");

  private BusyboxBundle() {}

  /** A root filesystem holding /bin/busybox and its applet links. */
  public static Path rootfs(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"));
    for (String applet : APPLETS) {
      Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
    }
    return dir;
  }

  /**
   * A bundle in {@code dir} over the shared {@code rootfs}. {@code cgroupsPath} is below /tugboat, or null to let
   * the runtime name the cgroup after the container.
   */
  public static Path create(Path dir, Path rootfs, List<String> args, long memoryLimitBytes, long pidsLimit,
      String cgroupsPath) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Process spec = new ProcessBuilder("runc", "spec").directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(spec.getInputStream().readAllBytes());
    if (!spec.waitFor(30, TimeUnit.SECONDS) || spec.exitValue() != 0) {
      throw new IOException("runc spec in " + dir + " failed: " + out.trim());
    }
    ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
    ((ObjectNode) config.get("root")).put("path", rootfs.toAbsolutePath().toString());
    ObjectNode process = (ObjectNode) config.get("process");
    process.put("terminal", false);
    var argv = process.putArray("args");
    args.forEach(argv::add);
    ObjectNode linux = (ObjectNode) config.get("linux");
    if (cgroupsPath != null) {
      linux.put("cgroupsPath", cgroupsPath);
    }
    ObjectNode resources = linux.putObject("resources");
    resources.putObject("memory").put("limit", memoryLimitBytes);
    resources.putObject("pids").put("limit", pidsLimit);
    Files.writeString(dir.resolve("config.json"), JSON.writeValueAsString(config));
    return dir;
  }
}
