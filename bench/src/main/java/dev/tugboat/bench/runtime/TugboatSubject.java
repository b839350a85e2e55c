package dev.tugboat.bench.runtime;

import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.KernelCgroups;
import java.io.IOException;
import java.nio.file.Path;

/** Tugboat's runtime in this JVM: warm after the first runs, as the node agent is. */
final class TugboatSubject {
  private TugboatSubject() {}

  static RuntimeBench.Subject create(ContainerRuntime runtime) {
    return (bundle, id) -> {
      long start = System.nanoTime();
      WaitStatus status = runtime.run(bundle, id);
      long elapsed = System.nanoTime() - start;
      if (status.exitCode() != 0 || status.signaled()) {
        throw new IOException("tugboat run " + id + ": " + status);
      }
      return elapsed;
    };
  }

  static ContainerRuntime runtime(Path root) {
    return new ContainerRuntime(root, KernelCgroups.detect());
  }
}
