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
 * @param consoleSocket for a spec with process.terminal: a connected unix socket (runc's --console-socket) over
 *     which the pty master is sent during create; the caller keeps and closes it. -1: none
 */
public record CreateOptions(Stdio stdio, Rootfs rootfs, boolean initMode, Path pidFile, int consoleSocket) {
  public static final String INIT_ANNOTATION = "dev.tugboat.runtime/init";

  public static CreateOptions defaults() {
    return new CreateOptions(Stdio.discard(), null, false, null, -1);
  }

  public CreateOptions withStdio(Stdio s) {
    return new CreateOptions(s, rootfs, initMode, pidFile, consoleSocket);
  }

  public CreateOptions withRootfs(Rootfs r) {
    return new CreateOptions(stdio, r, initMode, pidFile, consoleSocket);
  }

  public CreateOptions withInitMode(boolean on) {
    return new CreateOptions(stdio, rootfs, on, pidFile, consoleSocket);
  }

  public CreateOptions withPidFile(Path p) {
    return new CreateOptions(stdio, rootfs, initMode, p, consoleSocket);
  }

  public CreateOptions withConsoleSocket(int fd) {
    return new CreateOptions(stdio, rootfs, initMode, pidFile, fd);
  }
}
