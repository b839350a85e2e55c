/**
 * Containers without a per-container shim: the OCI lifecycle run from a warm JVM.
 *
 * <p>create, in {@link dev.tugboat.runtime.container.ContainerRuntime#create}:
 * <ol>
 *   <li>config.json is parsed and validated ({@link dev.tugboat.runtime.oci.SpecParser}); nothing exists yet.
 *   <li>The state directory {@code <root>/<id>} is made (its existence is the id's lock), with a copy of config.json
 *       and the exec.fifo that `start` will open; the cgroup is created with its limits.
 *   <li>A fresh platform thread ({@link dev.tugboat.runtime.container.Spawner}) joins the namespaces given by path,
 *       unshares the new ones except PID, and builds the mount table in its own mount namespace
 *       ({@link dev.tugboat.runtime.container.ContainerFilesystem}: rootfs bind or overlay, spec mounts but proc,
 *       /dev nodes, hostname). Then, allocation done, it unshares the PID namespace and posix_spawns tug-init.
 *   <li>tug-init (native-bindings/src/main/c/tug-init.c) is PID 1: it mounts proc, pivots into the rootfs, masks
 *       and write-protects paths, applies rlimits, user, capabilities and no_new_privs, and closes its error pipe:
 *       the runtime reads an error line or end of file. Java then moves the pid into the cgroup and records
 *       state.json (pid plus its start time, so a reused pid is never mistaken for the container).
 * </ol>
 * start opens the FIFO, which releases tug-init into exec (or, in init mode, fork + reap + record the exit status).
 * Exits are seen by one epoll thread over pidfds ({@link dev.tugboat.runtime.container.PidWatcher}). Nothing of the
 * runtime stays in memory that a later runtime over the same root cannot rebuild from the state directories.
 */
package dev.tugboat.runtime.container;
