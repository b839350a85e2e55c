package dev.tugboat.bench.runtime;

import dev.tugboat.bench.proc.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The per-container helper process other stacks keep (podman and CRI-O's conmon, like containerd's shim): one is
 * started over runc for a sleeping container, and its resident memory is what each running container costs there.
 */
final class ConmonReference {
  private ConmonReference() {}

  /** Resident memory of one conmon process watching a runc container of {@code bundle}, in MB. */
  static double perContainerMegabytes(ReferenceRuntime references, Path bundle, Path dir) throws Exception {
    Files.createDirectories(dir);
    Path runcRoot = dir.resolve("runc-root");
    Path conmonPidFile = dir.resolve("conmon.pid");
    String id = "bench-conmon";
    Process launcher = references.start(List.of("conmon", "--cid", id, "--cuuid", "00000000-0000-0000-0000-00000000be7c",
        "--name", id, "--runtime", "/usr/sbin/runc", "--bundle", bundle.toString(), "--exit-dir", dir.toString(),
        "--log-path", dir.resolve("ctr.log").toString(), "--container-pidfile", dir.resolve("ctr.pid").toString(),
        "--conmon-pidfile", conmonPidFile.toString(), "--socket-dir-path", dir.toString(),
        "--runtime-arg", "--root=" + runcRoot));
    String out = new String(launcher.getInputStream().readAllBytes());
    if (!launcher.waitFor(30, TimeUnit.SECONDS) || launcher.exitValue() != 0 || !Files.exists(conmonPidFile)) {
      throw new IOException("conmon did not start a container: " + out.trim());
    }
    long conmonPid = Long.parseLong(Files.readString(conmonPidFile).trim());
    try {
      return ProcessMemory.rssMegabytes(conmonPid);
    } finally {
      Process delete = references.start(List.of("runc", "--root", runcRoot.toString(), "delete", "--force", id));
      delete.getInputStream().readAllBytes();
      delete.waitFor(30, TimeUnit.SECONDS);
      ProcessHandle.of(conmonPid).ifPresent(ProcessHandle::destroy);
    }
  }
}
