package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.WaitStatus;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** A process started inside a running container by exec; {@code exit} completes when it ends. */
public record ExecProcess(int pid, CompletableFuture<Optional<WaitStatus>> exit) {
  /** Waits for the process; its status is always known, since the exec'ing JVM is its parent. */
  public WaitStatus await() {
    return exit.join().orElseThrow(() -> new IllegalStateException("exec process " + pid + " was reaped elsewhere"));
  }
}
