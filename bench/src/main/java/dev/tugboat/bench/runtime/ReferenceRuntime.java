package dev.tugboat.bench.runtime;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.MountFlags;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code crun run} or {@code runc run} as a user would, timed from spawn to exit.
 *
 * <p>crun refuses this machine's hybrid cgroup layout ("cgroups in hybrid mode not supported, drop all controllers
 * from cgroupv2") because the otherwise empty v2 mount has the hugetlb controller. So the references are spawned
 * from one thread that lives in its own mount namespace without that v2 mount: children inherit the spawning thread's
 * namespaces, the machine's mounts stay untouched, and runc and crun see the same pure-v1 layout.
 */
public final class ReferenceRuntime implements AutoCloseable {
  private static final String UNIFIED = "/sys/fs/cgroup/unified";
  private final ExecutorService spawner = Executors.newSingleThreadExecutor(r -> new Thread(r, "reference-runtime"));

  public ReferenceRuntime() throws Exception {
    call(() -> {
      Linux.unshare(Linux.CLONE_NEWNS);
      Linux.mount(null, "/", null, MountFlags.MS_REC | MountFlags.MS_PRIVATE, null);
      if (new File(UNIFIED + "/cgroup.controllers").exists()) {
        Linux.umount2(UNIFIED, Linux.MNT_DETACH);
      }
      return null;
    });
  }

  /** Runs the bundle to exit under {@code id}; returns the elapsed nanoseconds, or throws naming the runtime's output. */
  public long run(String runtime, Path bundle, String id) throws Exception {
    return call(() -> {
      long start = System.nanoTime();
      Process p = new ProcessBuilder(List.of(runtime, "run", "--bundle", bundle.toString(), id))
          .redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(runtime + " run " + id + ": did not exit within 60 s");
      }
      long elapsed = System.nanoTime() - start;
      if (p.exitValue() != 0) {
        throw new IOException(runtime + " run " + id + ": exit status " + p.exitValue() + ": " + new String(out).trim());
      }
      return elapsed;
    });
  }

  /** {@code runtime run --detach}: returns once the container runs, with no process of the runtime left behind. */
  public void runDetached(String runtime, Path bundle, String id) throws Exception {
    // The container keeps the runtime's stdio: a pipe here would stay open for the container's whole life.
    Path log = bundle.resolve(id + ".log");
    List<String> argv = List.of(runtime, "run", "--detach", "--bundle", bundle.toString(), id);
    Process p = call(() -> new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile()).start());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + ": " + (p.isAlive() ? "did not finish in 60 s"
          : "exit status " + p.exitValue() + ": " + java.nio.file.Files.readString(log).trim()));
    }
  }

  public void delete(String runtime, String id) throws Exception {
    runToCompletion(List.of(runtime, "delete", "--force", id));
  }

  private void runToCompletion(List<String> argv) throws Exception {
    Process p = start(argv);
    String out = new String(p.getInputStream().readAllBytes()).trim();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException(String.join(" ", argv) + ": " + (p.isAlive() ? "did not finish in 60 s" : out));
    }
  }

  /** Starts {@code runtime run --detach}-style work from the namespaced thread; for processes that outlive the call. */
  public Process start(List<String> argv) throws Exception {
    return call(() -> new ProcessBuilder(argv).redirectErrorStream(true).start());
  }

  private <T> T call(Callable<T> work) throws Exception {
    try {
      return spawner.submit(work).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    spawner.shutdownNow();
  }
}
