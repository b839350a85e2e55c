package dev.tugboat.bench.runtime;

import java.nio.file.Path;

/** Tugboat's runtime in this JVM: warm after the first runs, as the node agent is. */
final class TugboatSubject {
  private TugboatSubject() {}

  static RuntimeBench.Subject create(Path root) {
    return (bundle, id) -> {
      throw new UnsupportedOperationException("the Tugboat runtime is not wired into the benchmark yet");
    };
  }
}
