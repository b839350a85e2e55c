package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.NativeCallException;
import dev.tugboat.nativebindings.PosixSpawn;
import dev.tugboat.nativebindings.TugInit;
import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.oci.NamespaceType;
import dev.tugboat.runtime.oci.Spec;
import dev.tugboat.runtime.oci.SpecParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The OCI container lifecycle (create, start, state, kill, delete, exec) over a state root like runc's {@code --root}.
 * No process stays behind per container: a container is its tug-init/process, its cgroup and its state directory, so
 * any runtime over the same root (a restarted JVM, the `tug runtime` CLI) finds it again.
 */
public final class ContainerRuntime implements AutoCloseable {
  public static final Path DEFAULT_ROOT = Path.of("/run/tugboat/runtime");
  /** Spare network, IPC and UTS namespaces kept ready (see {@link SpareNamespaces}). */
  static final int SPARE_NAMESPACE_SETS = 4;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

  private final Path root;
  private final Path tugInitDir;
  private final CgroupSupport cgroups;
  private final PidWatcher watcher = new PidWatcher();
  private final Map<String, CompletableFuture<Optional<WaitStatus>>> exits = new ConcurrentHashMap<>();
  private final ExecLauncher execLauncher;
  private final SpecCache specs = new SpecCache();
  private final SpareStateDirectories spares;
  private final SpareNamespaces spareNamespaces = new SpareNamespaces(SPARE_NAMESPACE_SETS);
  /** Mount namespaces of containers this runtime started, held until their process has exited (see Spawner.Launched). */
  private final Map<String, Integer> mountNamespaces = new ConcurrentHashMap<>();

  public ContainerRuntime(Path root, Path tugInitDir, CgroupSupport cgroups) {
    this.root = root.toAbsolutePath();
    this.tugInitDir = tugInitDir;
    this.cgroups = cgroups;
    this.execLauncher = new ExecLauncher(tugInitDir, cgroups, watcher);
    this.spares = new SpareStateDirectories(this.root);
  }

  public ContainerRuntime(Path root, CgroupSupport cgroups) {
    this(root, TugInit.DEFAULT_DIR, cgroups);
  }

  public Path root() {
    return root;
  }

  // create

  public ContainerState create(String id, Path bundle, CreateOptions options) {
    try {
      return create(id, bundle, options, null).state();
    } finally {
      Teardown.wake();
    }
  }

  /**
   * What {@link #run} keeps of the container it created, so it needs no state file read to delete it again.
   *
   * @param errorPipe with the process started at once, tug-init's error pipe, read by run() once it has exited
   *     (waiting for its set-up to finish first would cost a wake-up more); else -1, already read
   * @param mountNamespace the container's mount namespace, held until its process is reaped, or -1
   */
  private record Created(ContainerState state, StateDirectory dir, ContainerCgroup cgroup, boolean initMode,
      int errorPipe, int mountNamespace) {}

  /**
   * @param ownPidfd null: the watcher reaps the process and it waits for {@link #start}. Else the caller (see
   *     {@link #run}) reaps it, and it starts at once, without the exec.fifo: a pidfd of the process is stored in the
   *     one element, and the container's exit future is left for the caller to complete.
   */
  private Created create(String id, Path bundle, CreateOptions options, int[] ownPidfd) {
    boolean startAtOnce = ownPidfd != null;
    StepTimes.begin();
    if (!ID.matcher(id).matches()) {
      throw new ContainerException("container id \"" + id + "\": must match " + ID.pattern());
    }
    Path bundleDir = bundle.toAbsolutePath().normalize();
    Spec spec = specs.read(bundleDir);
    StepTimes.mark("c01 parse spec");
    String what = "container \"" + id + "\"";
    ConsoleSocketCheck.check(what, spec.process().terminal(), options.consoleSocket());
    if (!spec.linux().creates(NamespaceType.MOUNT)) {
      throw new ContainerException(what + ": $.linux.namespaces: a new mount namespace is required");
    }
    Rootfs rootfs = options.rootfs() != null ? options.rootfs()
        : new Rootfs.Bind(bundleDir.resolve(spec.root().path()).normalize().toString());
    if (rootfs instanceof Rootfs.Bind && !Files.isDirectory(Path.of(rootfs.target()))) {
      throw new ContainerException(what + ": root.path: " + rootfs.target() + ": no such directory");
    }
    boolean initMode = options.initMode() || "true".equals(spec.annotations().get(CreateOptions.INIT_ANNOTATION));
    StateDirectory dir = new StateDirectory(root.resolve(id));
    try {
      spares.create(dir.path());
    } catch (FileAlreadyExistsException e) {
      throw new ContainerException(what + " already exists");
    } catch (IOException e) {
      throw new UncheckedIOException(what + ": create state directory " + dir.path() + ": " + e, e);
    }
    StepTimes.mark("c02 state dir");
    ContainerCgroup cgroup = null;
    int pid = -1;
    int mountNamespace = -1;
    List<Integer> toClose = new ArrayList<>();
    try {
      cgroup = cgroups.create(cgroupPath(spec, id), ResourceLimits.of(spec.linux().resources()));
      StepTimes.mark("c04 cgroup create");
      if (!startAtOnce) Linux.mkfifo(dir.fifo().toString(), 0622);
      // Recorded before anything runs: should this JVM die mid-create, `delete --force` still finds what to remove.
      String createdAt = Instant.now().toString();
      String cgroupPath = cgroup == null ? null : cgroup.relativePath();
      dir.write(new ContainerRecord(id, bundleDir.toString(), rootfs.target(), 0, 0, createdAt, spec.annotations(),
          cgroupPath, initMode));
      StepTimes.mark("c05 fifo+state");
      List<Spawner.Join> joins = new ArrayList<>();
      Spawner.Join pidJoin = null;
      int unshare = 0;
      for (Spec.Namespace n : spec.linux().namespaces()) {
        if (n.path() == null) {
          // PID comes last in the spawner; cgroup is made by tug-init once the process is in its cgroup.
          if (n.type() != NamespaceType.PID && n.type() != NamespaceType.CGROUP) unshare |= n.type().cloneFlag();
          continue;
        }
        int fd = Linux.open(n.path(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        toClose.add(fd);
        Spawner.Join join = new Spawner.Join(n.type().cloneFlag(), fd, n.path());
        if (n.type() == NamespaceType.PID) pidJoin = join;
        else joins.add(join);
      }
      SpareNamespaces.Taken spare = spareNamespaces.take(unshare);
      toClose.addAll(spare.fds());
      joins.addAll(spare.joins());
      unshare = spare.unshareFlags();
      int[] error;
      int[] stdio = options.stdio().open();
      StepTimes.mark("c06 ns+stdio");
      List<Integer> childEnds = new ArrayList<>();
      try {
        error = Linux.pipe();
        toClose.add(error[0]);
        childEnds.add(error[1]);
        Map<Integer, Integer> fds = new LinkedHashMap<>();
        fds.put(0, stdio[0]);
        fds.put(1, stdio[1]);
        fds.put(2, stdio[2]);
        fds.put(TugInitArgs.ERROR_FD, error[1]);
        // tug-init moves itself into the cgroup first thing, before it mounts or runs anything.
        List<String> args = TugInitArgs.forCreate(spec, rootfs.target(), dir.path().toString(), initMode,
            cgroup == null ? List.of() : cgroup.selfJoinFiles(), !startAtOnce);
        if (options.consoleSocket() >= 0) {
          fds.put(TugInitArgs.CONSOLE_FD, options.consoleSocket());
          args = TugInitArgs.withConsole(args);
        }
        PosixSpawn spawn = new PosixSpawn(TugInit.extractTo(tugInitDir).toString(), args, spec.process().env(), fds,
            true);
        ContainerFilesystem filesystem = new ContainerFilesystem(spec, bundleDir, rootfs, cgroup);
        Spawner.Plan plan = new Spawner.Plan(joins, unshare, filesystem::build,
            spec.linux().creates(NamespaceType.PID), pidJoin, spawn);
        StepTimes.mark("c07 spawn prep");
        Spawner.Launched launched = Spawner.launch("tug-spawn-" + id, plan);
        pid = launched.pid();
        mountNamespace = launched.mountNamespace();
        if (mountNamespace >= 0) mountNamespaces.put(id, mountNamespace);
        StepTimes.mark("c08 spawner");
      } finally {
        // The child has its copies; ours must go, or EOF on the error pipe would never come.
        childEnds.forEach(Linux::closeQuietly);
        options.stdio().closeOpened(stdio);
      }
      // Not reaped yet, so its stat is there even if it already failed.
      long startTime = ProcStat.read(pid).map(ProcStat::startTime)
          .orElseThrow(() -> new ContainerException(what + ": tug-init vanished during set-up"));
      ContainerRecord record = new ContainerRecord(id, bundleDir.toString(), rootfs.target(), pid, startTime,
          createdAt, spec.annotations(), cgroupPath, initMode);
      // Copied while tug-init sets up on the other CPU, not before the spawn: only exec and the CLI read it, once
      // create has returned.
      Files.copy(bundleDir.resolve("config.json"), dir.path().resolve("config.json"));
      dir.write(record);
      String failure = startAtOnce ? "" : new String(Linux.readAll(error[0])).trim();
      StepTimes.mark("c09 state+wait ready");
      if (!failure.isEmpty()) throw new ContainerException(what + ": tug-init: " + failure);
      StepTimes.mark("c10 cgroup add");
      if (ownPidfd == null) {
        CompletableFuture<Optional<WaitStatus>> exit = watch(dir, record, Linux.pidfdOpen(pid));
        exits.put(id, exit);
        int held = mountNamespace;
        exit.whenComplete((status, thrown) -> {
          releaseMountNamespace(id, held);
          Teardown.wake();
        });
      } else {
        ownPidfd[0] = Linux.pidfdOpen(pid);
        exits.put(id, new CompletableFuture<>());
      }
      if (options.pidFile() != null) writePidFile(options.pidFile(), pid);
      StepTimes.mark("c11 watch");
      if (startAtOnce) toClose.remove((Integer) error[0]);
      return new Created(new ContainerState(id, startAtOnce ? ContainerStatus.RUNNING : ContainerStatus.CREATED, pid,
          record.bundle(), record.rootfs(), record.created(), record.annotations(), Optional.empty(), false), dir,
          cgroup, initMode, startAtOnce ? error[0] : -1, mountNamespace);
    } catch (RuntimeException | IOException e) {
      if (ownPidfd != null) {
        Linux.closeQuietly(ownPidfd[0]);
        ownPidfd[0] = -1;
      }
      if (pid > 0) killAndReap(pid);
      if (mountNamespace >= 0 && mountNamespaces.remove(id, mountNamespace)) Linux.closeQuietly(mountNamespace);
      if (cgroup != null) {
        try {
          cgroup.delete();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      dir.removeAll(spares);
      exits.remove(id);
      if (e instanceof ContainerException || e instanceof dev.tugboat.runtime.oci.SpecException) {
        throw (RuntimeException) e;
      }
      // A failed step (a mount in the spawner, say) names the call; this names the container it was for.
      throw new ContainerException(what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
    } finally {
      toClose.forEach(Linux::closeQuietly);
    }
  }

  /**
   * Below the tugboat parent: the spec's cgroupsPath if it names one (a leading "/tugboat/", which the same bundle
   * needs under runc on these machines, is that parent), else the container id.
   */
  static String cgroupPath(Spec spec, String id) {
    String path = spec.linux().cgroupsPath();
    if (path == null || path.isEmpty()) return id;
    path = path.replaceFirst("^/+", "");
    return path.startsWith("tugboat/") ? path.substring("tugboat/".length()) : path;
  }

  private static void writePidFile(Path file, int pid) throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.writeString(temp, Integer.toString(pid));
    Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** A set-up failure leaves nothing: the half-made container's process is killed and reaped here. */
  static void killAndReap(int pid) {
    try {
      int pidfd = Linux.pidfdOpen(pid);
      try {
        Linux.pidfdSendSignal(pidfd, Linux.SIGKILL, "pid " + pid);
        Linux.waitPidfd(pidfd, true, false);
      } finally {
        Linux.closeQuietly(pidfd);
      }
    } catch (NativeCallException ignored) {
      // already gone (and reaped)
    }
  }

  /** Lets the kernel tear down an exited container's mount namespace, on the teardown thread. */
  private void releaseMountNamespace(String id, int fd) {
    if (fd >= 0 && mountNamespaces.remove(id, fd)) Teardown.soon(() -> Linux.closeQuietly(fd));
  }

  private CompletableFuture<Optional<WaitStatus>> watch(StateDirectory dir, ContainerRecord record, int pidfd) {
    // The exit file is the container's record of its status: tug-init writes it in init mode, the watcher otherwise.
    return watcher.watch(pidfd).thenApply(reaped -> {
      reaped.ifPresent(dir::recordExit);
      return dir.exists() ? dir.exit().or(() -> reaped) : reaped;
    });
  }

  // start, state, kill, delete

  public void start(String id) {
    StepTimes.mark("c12 return");
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    ContainerStatus status = status(dir, record);
    if (status != ContainerStatus.CREATED) {
      throw new ContainerException("container \"" + id + "\": cannot start a container that is " + status.specName());
    }
    // The pidfd first: once the FIFO is open, the process may start, finish and be gone before the next line.
    int pidfd = openPidfd(record);
    int fifo = -1;
    try {
      fifo = Linux.open(dir.fifo().toString(), Linux.O_RDONLY | Linux.O_NONBLOCK | Linux.O_CLOEXEC, 0);
      List<Integer> ready = Linux.pollReadable(new int[] {fifo, pidfd}, -1);
      if (!ready.contains(0) || Linux.read(fifo, new byte[1]) != 1) {
        throw new ContainerException("container \"" + id + "\": its process exited before start");
      }
      dir.removeFifo();
      StepTimes.mark("s01 start");
    } finally {
      Linux.closeQuietly(fifo);
      Linux.closeQuietly(pidfd);
    }
  }

  public ContainerState state(String id) {
    StateDirectory dir = existing(id);
    ContainerRecord r = dir.read();
    ContainerStatus status = status(dir, r);
    if (status == ContainerStatus.RUNNING && r.cgroupPath() != null && PauseControl.frozen(cgroups, r.cgroupPath())) {
      status = ContainerStatus.PAUSED;
    }
    Optional<WaitStatus> exit = status == ContainerStatus.STOPPED ? dir.exit() : Optional.empty();
    boolean oomKilled = status == ContainerStatus.STOPPED && r.cgroupPath() != null
        && cgroups.open(r.cgroupPath()).map(ContainerCgroup::oomKilled).orElse(false);
    return new ContainerState(r.id(), status, r.pid(), r.bundle(), r.rootfs(), r.created(), r.annotations(), exit,
        oomKilled);
  }

  public List<ContainerState> list() {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> dirs = Files.list(root)) {
      List<ContainerState> states = new ArrayList<>();
      for (Path d : dirs.sorted().toList()) {
        // Spares and deleted containers' directories on their way out have names no id can have.
        if (!ID.matcher(d.getFileName().toString()).matches() || !new StateDirectory(d).exists()) continue;
        try {
          states.add(state(d.getFileName().toString()));
        } catch (ContainerNotFoundException raced) {
          // deleted meanwhile
        }
      }
      return states;
    } catch (IOException e) {
      throw new UncheckedIOException("list " + root + ": " + e, e);
    }
  }

  /** Sends a signal to the container's first process, or with {@code all} to every process in it. */
  public void kill(String id, int signal, boolean all) {
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    ContainerStatus status = status(dir, record);
    if (status == ContainerStatus.STOPPED || status == ContainerStatus.CREATING) {
      throw new ContainerException("container \"" + id + "\" is not running");
    }
    if (all) {
      if (signal == Linux.SIGKILL && record.cgroupPath() != null) {
        cgroups.open(record.cgroupPath()).ifPresent(ContainerCgroup::killAll);
      }
      for (int pid : processes(id)) {
        if (pid == record.pid()) continue;
        try {
          Linux.kill(pid, signal);
        } catch (NativeCallException exitedMeanwhile) {
          // gone between listing and signalling
        }
      }
    }
    int pidfd = openPidfd(record);
    try {
      Linux.pidfdSendSignal(pidfd, signal, "container \"" + id + "\" pid " + record.pid());
    } finally {
      Linux.closeQuietly(pidfd);
    }
    // As runc: SIGKILL ends a paused container now, not when someone resumes it.
    if (signal == Linux.SIGKILL && record.cgroupPath() != null) PauseControl.thawIfFrozen(cgroups, record.cgroupPath());
  }

  /** Removes a stopped container; with {@code force}, kills a running one first (runc delete --force). */
  public void delete(String id, boolean force) {
    StepTimes.mark("w01 await exit");
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    ContainerStatus status = status(dir, record);
    if ((status == ContainerStatus.RUNNING || status == ContainerStatus.CREATING) && !force) {
      boolean paused = record.cgroupPath() != null && PauseControl.frozen(cgroups, record.cgroupPath());
      throw new ContainerException("container \"" + id + "\": cannot delete a container that is "
          + (paused ? ContainerStatus.PAUSED : status).specName() + " (use --force)");
    }
    if (status == ContainerStatus.CREATED || status == ContainerStatus.RUNNING) {
      Optional<ContainerCgroup> cgroup = Optional.ofNullable(record.cgroupPath()).flatMap(cgroups::open);
      cgroup.ifPresent(ContainerCgroup::killAll);
      try {
        int pidfd = openPidfd(record);
        try {
          Linux.pidfdSendSignal(pidfd, Linux.SIGKILL, "container \"" + id + "\" pid " + record.pid());
        } finally {
          Linux.closeQuietly(pidfd);
        }
      } catch (ContainerException | NativeCallException exitedMeanwhile) {
        // it died on its own between the status check and the kill
      }
    }
    awaitExit(id);
    if (record.cgroupPath() != null) cgroups.open(record.cgroupPath()).ifPresent(ContainerCgroup::delete);
    StepTimes.mark("d01 read+cgroup delete");
    dir.removeAll(spares);
    exits.remove(id);
    Teardown.wake();
    StepTimes.mark("d02 remove dir");
  }

  /**
   * Waits until the container's process has exited and returns how it ended, when known: always for containers this
   * runtime created, and for any container created in init mode.
   */
  public Optional<WaitStatus> awaitExit(String id) {
    return exitFuture(id).join();
  }

  public CompletableFuture<Optional<WaitStatus>> exitFuture(String id) {
    CompletableFuture<Optional<WaitStatus>> known = exits.get(id);
    if (known != null) return known;
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    return exits.computeIfAbsent(id, k -> {
      try {
        return watch(dir, record, openPidfd(record));
      } catch (ContainerException gone) {
        return CompletableFuture.completedFuture(dir.exit());
      }
    });
  }

  /** Creates, starts and waits for a container, then deletes it: the exit status of one run. */
  public WaitStatus run(Path bundle, String id) {
    return run(bundle, id, CreateOptions.defaults());
  }

  public WaitStatus run(Path bundle, String id, CreateOptions options) {
    try {
      return runToExit(bundle, id, options);
    } finally {
      // What the run handed over (the mount namespace, state directory, spares to make) starts once it has returned.
      Teardown.wake();
    }
  }

  private WaitStatus runToExit(Path bundle, String id, CreateOptions options) {
    // This thread waits for the exit anyway, so it reaps the process itself: the watcher's wake-up and its hand-off
    // back to this thread cost a millisecond or more on a busy machine. Nothing can happen between create and start
    // here, so the process starts at once: no exec.fifo to make, open, wait on and remove.
    int[] pidfd = {-1};
    Created created = create(id, bundle, options, pidfd);
    CompletableFuture<Optional<WaitStatus>> exit = exits.get(id);
    StateDirectory dir = created.dir();
    Optional<WaitStatus> reaped = Optional.empty();
    try {
      StepTimes.mark("s02 return");
      reaped = Linux.waitPidfd(pidfd[0], true, false);
      StepTimes.mark("w01 await exit");
      releaseMountNamespace(id, created.mountNamespace());
      // tug-init has exited, so every write end is closed: this reads what it wrote, or EOF, at once.
      String failure = new String(Linux.readAll(created.errorPipe())).trim();
      // tug-init's own record in init mode (the status of the process it ran, not its own) comes first.
      Optional<WaitStatus> waited = reaped;
      Optional<WaitStatus> status = created.initMode() ? dir.exit().or(() -> waited) : reaped;
      exit.complete(status);
      if (!failure.isEmpty()) throw new ContainerException("container \"" + id + "\": tug-init: " + failure);
      return status.orElseThrow(() -> new ContainerException("container \"" + id + "\": exit status lost"));
    } finally {
      Linux.closeQuietly(created.errorPipe());
      if (!exit.isDone()) {
        // The wait failed: the watcher takes the process over, so delete can wait for it.
        try {
          watch(dir, dir.read(), pidfd[0]).whenComplete((status, failure) -> {
            releaseMountNamespace(id, created.mountNamespace());
            Teardown.wake();
            if (failure != null) exit.completeExceptionally(failure);
            else exit.complete(status);
          });
        } catch (RuntimeException unreadable) {
          Linux.closeQuietly(pidfd[0]);
          releaseMountNamespace(id, created.mountNamespace());
          exit.complete(Optional.empty());
        }
        delete(id, true);
      } else {
        Linux.closeQuietly(pidfd[0]);
        deleteReaped(id, created, reaped);
      }
    }
  }

  /**
   * {@link #delete} of a container whose process this runtime has just reaped: its cgroup and directory are known,
   * so no state is read and no status worked out. The exit is recorded only should the container outlive this.
   */
  private void deleteReaped(String id, Created created, Optional<WaitStatus> reaped) {
    try {
      if (created.cgroup() != null) created.cgroup().delete();
    } catch (RuntimeException e) {
      reaped.ifPresent(created.dir()::recordExit);
      throw e;
    }
    StepTimes.mark("d01 read+cgroup delete");
    created.dir().removeAll(spares);
    exits.remove(id);
    StepTimes.mark("d02 remove dir");
  }

  // exec

  /** Runs {@code args} in a running container, with its process's user, environment, cwd and capabilities. */
  public ExecProcess exec(String id, List<String> args, Stdio stdio) {
    Spec.Process base = containerSpec(id).process();
    return exec(id, new Spec.Process(false, base.user(), List.copyOf(args), base.env(), base.cwd(),
        base.capabilities(), base.rlimits(), base.noNewPrivileges()), stdio);
  }

  public ExecProcess exec(String id, Spec.Process process, Stdio stdio) {
    return exec(id, process, stdio, -1);
  }

  /** @param consoleSocket as in {@link CreateOptions#consoleSocket()}: required if the process has a terminal */
  public ExecProcess exec(String id, Spec.Process process, Stdio stdio, int consoleSocket) {
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    ContainerStatus status = status(dir, record);
    if (status == ContainerStatus.RUNNING && record.cgroupPath() != null
        && PauseControl.frozen(cgroups, record.cgroupPath())) {
      // A process joining a frozen cgroup is frozen before it could report having started.
      throw new ContainerException("container \"" + id + "\": cannot exec in a paused container");
    }
    if (status != ContainerStatus.RUNNING) {
      throw new ContainerException("container \"" + id + "\" is not running");
    }
    ConsoleSocketCheck.check("container \"" + id + "\": exec", process.terminal(), consoleSocket);
    return execLauncher.launch(record, process, stdio, consoleSocket);
  }

  /** Host pids of every process in the container's PID namespace, its first process first. */
  public List<Integer> processes(String id) {
    StateDirectory dir = existing(id);
    ContainerRecord record = dir.read();
    if (status(dir, record) == ContainerStatus.STOPPED) return List.of();
    List<Integer> pids = new ArrayList<>(List.of(record.pid()));
    try (Stream<Path> proc = Files.list(Path.of("/proc"))) {
      Path ns = Files.readSymbolicLink(Path.of("/proc/" + record.pid() + "/ns/pid"));
      for (Path p : proc.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit) || name.equals(Integer.toString(record.pid()))) continue;
        try {
          if (Files.readSymbolicLink(p.resolve("ns/pid")).equals(ns)) pids.add(Integer.parseInt(name));
        } catch (IOException gone) {
          // exited while listing
        }
      }
    } catch (IOException e) {
      throw new ContainerException("container \"" + id + "\": list processes: " + e, e);
    }
    return pids;
  }

  /** The spec the container was created with (copied into its state directory). */
  public Spec containerSpec(String id) {
    return SpecParser.read(existing(id).path());
  }

  // helpers

  private StateDirectory existing(String id) {
    if (!ID.matcher(id).matches()) throw new ContainerNotFoundException(id);
    StateDirectory dir = new StateDirectory(root.resolve(id));
    if (!dir.exists()) throw new ContainerNotFoundException(id);
    return dir;
  }

  private static ContainerStatus status(StateDirectory dir, ContainerRecord r) {
    if (dir.exit().isPresent()) return ContainerStatus.STOPPED;
    if (r.pid() == 0) return ContainerStatus.CREATING;
    if (!ProcStat.alive(r.pid(), r.pidStartTime())) return ContainerStatus.STOPPED;
    return dir.started() ? ContainerStatus.RUNNING : ContainerStatus.CREATED;
  }

  /** A pidfd of the container's process, checked to be that process and not a later one with a reused pid. */
  private static int openPidfd(ContainerRecord r) {
    int pidfd;
    try {
      pidfd = Linux.pidfdOpen(r.pid());
    } catch (NativeCallException e) {
      throw new ContainerException("container \"" + r.id() + "\": process " + r.pid() + " is gone", e);
    }
    if (!ProcStat.read(r.pid()).map(s -> s.startTime() == r.pidStartTime()).orElse(false)) {
      Linux.closeQuietly(pidfd);
      throw new ContainerException("container \"" + r.id() + "\": process " + r.pid() + " is gone");
    }
    return pidfd;
  }

  // pause, resume, update, events

  /** runc pause: freezes every process of a running container. */
  public void pause(String id) {
    ContainerState state = state(id);
    if (state.status() != ContainerStatus.RUNNING) throw new ContainerException("container \"" + id + "\" is not running");
    cgroupOf(id).freeze();
  }

  /** runc resume: thaws a paused container. */
  public void resume(String id) {
    if (state(id).status() != ContainerStatus.PAUSED) throw new ContainerException("container \"" + id + "\" is not paused");
    cgroupOf(id).thaw();
  }

  /** runc update: changes the limits set in {@code limits} of a container that has not stopped. */
  public void update(String id, ResourceLimits limits) {
    if (state(id).status() == ContainerStatus.STOPPED) throw new ContainerException("container \"" + id + "\" is not running");
    cgroupOf(id).update(limits);
  }

  /** The counters runc's events report for a container that has not stopped. */
  public CgroupUsage usage(String id) {
    // A stopped container's cgroup stays until delete, and its counters (an OOM kill, say) are still worth reading.
    return cgroupOf(id).usage();
  }

  /** Tells the OOM kills in a running container's cgroup as they happen (runc events' "oom" lines). */
  public OomWatch watchOom(String id) {
    return OomWatch.open("container \"" + id + "\"", cgroupOf(id));
  }

  private ContainerCgroup cgroupOf(String id) {
    String path = existing(id).read().cgroupPath();
    return Optional.ofNullable(path).flatMap(cgroups::open)
        .orElseThrow(() -> new ContainerException("container \"" + id + "\": has no cgroup"));
  }

  /** Stops watching; containers keep running and a later runtime over the same root finds them. */
  @Override
  public void close() {
    watcher.close();
    spareNamespaces.close();
    cgroups.removeSpares();
    // Containers still running keep their mount namespaces by themselves.
    mountNamespaces.forEach(this::releaseMountNamespace);
    spares.awaitCleaner();
  }

  /** Returns once the directories of containers deleted so far are emptied (and kept as spares or removed). */
  void awaitStateCleanup() {
    spares.awaitCleaner();
  }
}
