package dev.tugboat.runtime.container;

import java.nio.file.Path;

/**
 * How to create a container beyond its bundle.
 *
 * @param stdio where the process's stdio goes
 * @param rootfs null: bind the bundle's root.path; otherwise e.g. an overlay of image layers
 * @param initMode tug-init stays PID 1, reaps and records the exit status in the state directory, so a later JVM
 *     learns how the container ended (also set by the annotation {@value #INIT_ANNOTATION} = "true")
 * @param pidFile where to write the pid (runc's --pid-file), or null
 */
public record CreateOptions(Stdio stdio, Rootfs rootfs, boolean initMode, Path pidFile) {
  public static final String INIT_ANNOTATION = "dev.tugboat.runtime/init";

  public static CreateOptions defaults() {
    return new CreateOptions(Stdio.discard(), null, false, null);
  }

  public CreateOptions withStdio(Stdio s) {
    return new CreateOptions(s, rootfs, initMode, pidFile);
  }

  public CreateOptions withRootfs(Rootfs r) {
    return new CreateOptions(stdio, r, initMode, pidFile);
  }

  public CreateOptions withInitMode(boolean on) {
    return new CreateOptions(stdio, rootfs, on, pidFile);
  }

  public CreateOptions withPidFile(Path p) {
    return new CreateOptions(stdio, rootfs, initMode, p);
  }
}
