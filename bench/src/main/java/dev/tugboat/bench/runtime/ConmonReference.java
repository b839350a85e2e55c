package dev.tugboat.bench.runtime;

import dev.tugboat.bench.proc.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
      // conmon's launcher returns before runc has made the container: measured earlier, conmon is not yet what it
      // is beside a running container, and a delete finds nothing to delete (the container then outlived the bench)
      Path containerPidFile = dir.resolve("ctr.pid");
      for (int i = 0; i < 300 && !Files.exists(containerPidFile); i++) Thread.sleep(100);
      if (!Files.exists(containerPidFile)) throw new IOException("conmon's runc made no container in 30 s");
      return ProcessMemory.rssMegabytes(conmonPid);
    } finally {
      remove(references, runcRoot, id, conmonPid);
    }
  }

  /** Deletes the container (which ends conmon, its watcher) and makes sure conmon has ended. */
  private static void remove(ReferenceRuntime references, Path runcRoot, String id, long conmonPid) throws Exception {
    Process delete = references.start(List.of("runc", "--root", runcRoot.toString(), "delete", "--force", id));
    String out = new String(delete.getInputStream().readAllBytes()).trim();
    if (!delete.waitFor(30, TimeUnit.SECONDS) || delete.exitValue() != 0) {
      System.err.println("bench: runc delete --force " + id + " failed: " + out);
    }
    Optional<ProcessHandle> conmon = ProcessHandle.of(conmonPid);
    if (conmon.isEmpty()) return;
    conmon.get().destroy();
    for (int i = 0; i < 200 && running(conmonPid); i++) Thread.sleep(50);
    if (running(conmonPid)) conmon.get().destroyForcibly();
  }

  /** conmon daemonizes: it is not our child, and once ended it may stay a zombie that only its new parent reaps. */
  private static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException gone) {
      return false;
    }
  }
}
