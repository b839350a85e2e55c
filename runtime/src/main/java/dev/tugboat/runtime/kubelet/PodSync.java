package dev.tugboat.runtime.kubelet;

import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.WaitStatus;
import dev.tugboat.runtime.container.ContainerException;
import dev.tugboat.runtime.container.ContainerNotFoundException;
import dev.tugboat.runtime.container.ContainerRuntime;
import dev.tugboat.runtime.container.ContainerState;
import dev.tugboat.runtime.container.ContainerStatus;
import dev.tugboat.runtime.container.CreateOptions;
import dev.tugboat.runtime.container.Rootfs;
import dev.tugboat.runtime.container.Stdio;
import dev.tugboat.runtime.images.Image;
import dev.tugboat.runtime.images.ImageStore;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pod sync loop: level-triggered, one worker thread. Each pass over a pod compares what its spec asks for with
 * what runs (containers started, exited, restarted per restartPolicy with back-off), reports the pod's status when it
 * changed, and for a pod marked for deletion stops its containers (SIGTERM, SIGKILL once the grace period is over),
 * removes them with their cgroups, overlay dirs and logs, and then deletes the pod object for good.
 *
 * <p>Per pod, under {@code DATA_DIR/pods/UID/}: {@code volumes/NAME} for each emptyDir, and per container under
 * {@code CONTAINER/}: {@code bundle/config.json}, {@code bundle/rootfs} (the
 * overlay's mount point, mounted only inside the container's mount namespace), {@code upper}, {@code work}, and
 * {@code logs/RESTART.log} (stdout and stderr, as the process wrote them).
 */
final class PodSync implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(PodSync.class);
  private static final Duration RESYNC = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(10);

  private final KubernetesClient client;
  private final ContainerRuntime runtime;
  private final ImageStore images;
  private final Path podsDir;
  private final String hostIp;
  private final Clock clock;
  private final Map<String, Pod> desired = new ConcurrentHashMap<>();
  private final Map<String, PodRecord> records = new ConcurrentHashMap<>();
  private final LinkedBlockingQueue<String> dirty = new LinkedBlockingQueue<>();
  private final Thread worker;
  private final Prober prober;
  private final java.util.concurrent.ScheduledExecutorService probeTimer;
  private volatile boolean closed;
  /** Until the informer has listed this node's pods once, a pod not known is not yet known to be deleted. */
  private volatile boolean podsListed;

  PodSync(KubernetesClient client, ContainerRuntime runtime, ImageStore images, Path podsDir, String hostIp,
      Clock clock) {
    this.client = client;
    this.runtime = runtime;
    this.images = images;
    this.podsDir = podsDir;
    this.hostIp = hostIp;
    this.clock = clock;
    this.prober = new Prober(runtime);
    this.probeTimer = java.util.concurrent.Executors.newScheduledThreadPool(2, r -> {
      Thread thread = new Thread(r, "tug-probes");
      thread.setDaemon(true);
      return thread;
    });
    adopt();
    this.worker = new Thread(this::loop, "tug-pod-sync");
    this.worker.setDaemon(true);
    this.worker.start();
  }

  /**
   * Takes over the containers an earlier agent left running (or exited since) under the same runtime root: each
   * carries its pod's namespace, name and uid and its container's name in its annotations, and its run in its id.
   * A pod whose object is gone meanwhile is then stopped and removed by the first pass, like any deleted pod.
   */
  private void adopt() {
    for (ContainerState state : runtime.list()) {
      Map<String, String> a = state.annotations();
      String namespace = a.get(PodContainerSpec.NAMESPACE_ANNOTATION);
      String name = a.get(PodContainerSpec.NAME_ANNOTATION);
      String uid = a.get(PodContainerSpec.UID_ANNOTATION);
      String container = a.get(PodContainerSpec.CONTAINER_ANNOTATION);
      int run;
      try {
        run = Integer.parseInt(state.id().substring(state.id().lastIndexOf('_') + 1));
      } catch (NumberFormatException | IndexOutOfBoundsException notOurs) {
        continue;
      }
      if (namespace == null || name == null || uid == null || container == null
          || !state.id().equals(runtimeId(uid, container, run))) {
        continue;
      }
      Instant created = Instant.parse(state.created());
      PodRecord record = records.computeIfAbsent(key(namespace, name), k -> new PodRecord(uid, created));
      if (!record.uid.equals(uid)) continue;
      Slot slot = record.slots.computeIfAbsent(container, n -> new Slot());
      if (slot.live && run < slot.runs - 1) continue;
      slot.runtimeId = state.id();
      slot.live = true;
      slot.runs = run + 1;
      slot.startedAt = created;
      slot.state = new ContainerView.State.Running(created);
      String key = key(namespace, name);
      runtime.exitFuture(state.id()).whenComplete((exit, error) -> dirty.add(key));
      LOG.info("pod {}: adopted container {} ({})", key, container, state.id());
    }
  }

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  static String key(Pod pod) {
    return key(pod.getMetadata().getNamespace(), pod.getMetadata().getName());
  }

  /** The informer has delivered every pod bound to this node: a pod missing from now on is a deleted pod. */
  void podsListed() {
    podsListed = true;
    records.keySet().forEach(dirty::add);
  }

  void podChanged(Pod pod) {
    desired.put(key(pod), pod);
    dirty.add(key(pod));
  }

  void podDeleted(Pod pod) {
    desired.remove(key(pod));
    dirty.add(key(pod));
  }

  /** One container of a pod as the kubelet server needs it: its runtime id (if it ever ran) and log files. */
  record ContainerHandle(String podUid, String name, String runtimeId, boolean running, Path logFile,
      Path previousLogFile) {}

  /** The container {@code name} of pod {@code namespace/pod}, if this node runs that pod and it has that container. */
  synchronized Optional<ContainerHandle> container(String namespace, String pod, String name) {
    PodRecord record = records.get(key(namespace, pod));
    Slot slot = record == null ? null : record.slots.get(name);
    if (slot == null) return Optional.empty();
    Path logs = containerDir(record.uid, name).resolve("logs");
    return Optional.of(new ContainerHandle(record.uid, name, slot.runtimeId,
        slot.state instanceof ContainerView.State.Running, slot.runs == 0 ? null : logs.resolve((slot.runs - 1) + ".log"),
        slot.runs < 2 ? null : logs.resolve((slot.runs - 2) + ".log")));
  }

  /** Whether pod {@code namespace/pod} is on this node (known from the API server), whatever its containers do. */
  boolean knows(String namespace, String pod) {
    return desired.containsKey(key(namespace, pod)) || records.containsKey(key(namespace, pod));
  }

  /** Whether the run {@code runtimeId} has ended (its container exited, or is already removed). */
  boolean ended(String runtimeId) {
    try {
      return runtime.exitFuture(runtimeId).isDone();
    } catch (ContainerNotFoundException gone) {
      return true;
    }
  }

  ContainerRuntime runtime() {
    return runtime;
  }

  private void loop() {
    Instant nextResync = clock.instant();
    while (!closed) {
      try {
        String key = dirty.poll(RESYNC.toMillis(), TimeUnit.MILLISECONDS);
        if (closed) return;
        if (key != null) syncQuietly(key);
        if (clock.instant().isAfter(nextResync)) {
          nextResync = clock.instant().plus(RESYNC);
          List<String> all = new ArrayList<>(desired.keySet());
          records.keySet().forEach(k -> {
            if (!all.contains(k)) all.add(k);
          });
          all.forEach(this::syncQuietly);
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void syncQuietly(String key) {
    try {
      sync(key);
    } catch (RuntimeException e) {
      LOG.warn("sync pod {}: {}", key, e.toString(), e);
    }
  }

  /** One level-triggered pass over a pod. */
  synchronized void sync(String key) {
    Pod pod = desired.get(key);
    PodRecord record = records.get(key);
    if (pod != null && record != null && !record.uid.equals(pod.getMetadata().getUid())) {
      // Same name, new pod: the old one is gone from the API; finish it first.
      pod = null;
    }
    if (pod == null && !podsListed) return;
    if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
      if (record == null) {
        if (pod != null) finalizeDeletion(pod);
        return;
      }
      terminate(key, record, pod);
      return;
    }
    if (record == null) {
      record = new PodRecord(pod.getMetadata().getUid(), clock.instant());
      records.put(key, record);
    }
    List<Container> containers = pod.getSpec().getContainers();
    String restartPolicy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    for (int i = 0; i < containers.size(); i++) {
      Container container = containers.get(i);
      Slot slot = record.slots.computeIfAbsent(container.getName(), n -> new Slot());
      observeExit(slot);
      if (slot.state instanceof ContainerView.State.Running) {
        probe(key, container, slot);
        continue;
      }
      if (!shouldStart(slot, restartPolicy)) continue;
      if (slot.backoffUntil != null && clock.instant().isBefore(slot.backoffUntil)) continue;
      int sandboxPid = i == 0 ? 0 : runningPid(record.slots.get(containers.get(0).getName()));
      start(pod, container, slot, record, sandboxPid);
    }
    reportStatus(pod, record, restartPolicy);
  }

  private static boolean shouldStart(Slot slot, String restartPolicy) {
    if (slot.runs == 0) return true;
    if (slot.state instanceof ContainerView.State.Waiting) return true;
    ContainerView.State.Terminated t = (ContainerView.State.Terminated) slot.state;
    return switch (restartPolicy) {
      case "Never" -> false;
      case "OnFailure" -> t.exitCode() != 0 || t.signal() != 0;
      default -> true;
    };
  }

  private int runningPid(Slot first) {
    if (first == null || !(first.state instanceof ContainerView.State.Running) || first.runtimeId == null) return 0;
    try {
      ContainerState state = runtime.state(first.runtimeId);
      return state.status() == ContainerStatus.RUNNING ? state.pid() : 0;
    } catch (RuntimeException gone) {
      return 0;
    }
  }

  private void start(Pod pod, Container container, Slot slot, PodRecord record, int sandboxPid) {
    String uid = record.uid;
    String unsupported = PodContainerSpec.unsupported(pod, container);
    if (unsupported != null) {
      slot.state = new ContainerView.State.Waiting("CreateContainerConfigError", unsupported);
      backoff(slot);
      return;
    }
    Optional<Image> image = images.find(container.getImage());
    if (image.isEmpty()) {
      boolean again = slot.state instanceof ContainerView.State.Waiting w && (w.reason().equals("ErrImagePull")
          || w.reason().equals("ImagePullBackOff"));
      slot.state = new ContainerView.State.Waiting(again ? "ImagePullBackOff" : "ErrImagePull", "image "
          + container.getImage() + " is not in this node's image store " + images.root()
          + ": import it with `tug image import` (this node agent pulls from no registry)");
      backoff(slot);
      return;
    }
    Path dir = containerDir(uid, container.getName());
    String id = runtimeId(uid, container.getName(), slot.runs);
    try {
      Path bundle = dir.resolve("bundle");
      Path upper = dir.resolve("upper");
      Path work = dir.resolve("work");
      // Each run starts from the image again, as a new container does under kubelet.
      deleteTree(upper);
      deleteTree(work);
      Files.createDirectories(bundle.resolve("rootfs"));
      Files.createDirectories(upper);
      Files.createDirectories(work);
      Files.createDirectories(dir.resolve("logs"));
      // emptyDir volumes live as long as the pod, shared by its containers and kept across restarts.
      Map<String, Path> volumes = new LinkedHashMap<>();
      for (String volume : PodContainerSpec.emptyDirs(pod, container)) {
        volumes.put(volume, Files.createDirectories(podsDir.resolve(uid).resolve("volumes").resolve(volume)));
      }
      Files.writeString(bundle.resolve("config.json"), JsonMapper.shared().writeValueAsString(
          PodContainerSpec.of(pod, container, image.get().config(), sandboxPid, "/tugboat/" + id, volumes)));
      List<String> lower = images.lowerDirs(container.getImage()).stream().map(Path::toString).toList();
      Path log = dir.resolve("logs").resolve(slot.runs + ".log");
      CreateOptions options = CreateOptions.defaults().withStdio(Stdio.files(log, log)).withInitMode(true)
          .withRootfs(new Rootfs.Overlay(lower, upper.toString(), work.toString(), bundle.resolve("rootfs").toString()));
      removeStale(id);
      runtime.create(id, bundle, options);
      slot.runtimeId = id;
      slot.live = true;
      slot.runs++;
      slot.killedByProbe = false;
      runtime.start(id);
      if (sandboxPid == 0) loopbackUp(key(pod), runtime.state(id).pid());
      slot.imageId = image.get().configDigest().toString();
      slot.startedAt = clock.instant();
      slot.state = new ContainerView.State.Running(slot.startedAt);
      String key = key(pod);
      runtime.exitFuture(id).whenComplete((exit, error) -> dirty.add(key));
      LOG.info("pod {}: container {} started ({})", key, container.getName(), id);
    } catch (RuntimeException | IOException e) {
      LOG.warn("pod {}: container {}: {}", key(pod), container.getName(), e.getMessage());
      if (slot.live && id.equals(slot.runtimeId)) {
        removeStale(id);
        slot.live = false;
      }
      slot.state = new ContainerView.State.Waiting("CreateContainerError", e.getMessage());
      backoff(slot);
    }
  }

  /**
   * Starts the running container's startup, readiness and liveness probes once per run (on the probe threads, each
   * every periodSeconds after initialDelaySeconds; a change of result resyncs the pod), and kills a container whose
   * liveness probe has failed or whose startup probe has run out of failures, so restartPolicy restarts it as kubelet
   * does. As in kubelet, readiness and liveness checks wait until the startup probe, if any, has succeeded.
   */
  private void probe(String key, Container container, Slot slot) {
    if (slot.runtimeId != null && !slot.runtimeId.equals(slot.probedRun)) {
      slot.cancelProbes();
      slot.probedRun = slot.runtimeId;
      slot.readiness = container.getReadinessProbe() == null ? null : ProbeState.readiness(
          container.getReadinessProbe().getSuccessThreshold(), container.getReadinessProbe().getFailureThreshold());
      slot.liveness = container.getLivenessProbe() == null ? null
          : ProbeState.liveness(container.getLivenessProbe().getFailureThreshold());
      slot.startup = container.getStartupProbe() == null ? null
          : ProbeState.startup(container.getStartupProbe().getFailureThreshold());
      if (container.getStartupProbe() != null) schedule(key, container, slot, container.getStartupProbe(), Kind.STARTUP);
      if (container.getReadinessProbe() != null) {
        schedule(key, container, slot, container.getReadinessProbe(), Kind.READINESS);
      }
      if (container.getLivenessProbe() != null) {
        schedule(key, container, slot, container.getLivenessProbe(), Kind.LIVENESS);
      }
    }
    String failed = slot.liveness != null && !slot.liveness.result() ? "liveness"
        : slot.startup != null && slot.startup.exhausted() ? "startup" : null;
    if (failed != null && !slot.killedByProbe && slot.live) {
      LOG.info("pod {}: container {} failed its {} probe: killing it", key, container.getName(), failed);
      slot.killedByProbe = true;
      try {
        runtime.kill(slot.runtimeId, Linux.SIGKILL, true);
      } catch (ContainerException exitedMeanwhile) {
        // the exit is observed as any other
      }
    }
  }

  private enum Kind { STARTUP, READINESS, LIVENESS }

  private void schedule(String key, Container container, Slot slot, io.fabric8.kubernetes.api.model.Probe probe,
      Kind kind) {
    String run = slot.runtimeId;
    long delay = probe.getInitialDelaySeconds() == null ? 0 : Math.max(0, probe.getInitialDelaySeconds());
    long period = probe.getPeriodSeconds() == null || probe.getPeriodSeconds() < 1 ? 10 : probe.getPeriodSeconds();
    slot.probes.add(probeTimer.scheduleWithFixedDelay(() -> {
      if (closed || !run.equals(slot.runtimeId) || !(slot.state instanceof ContainerView.State.Running)) return;
      ProbeState startup = slot.startup;
      boolean started = startup == null || startup.result();
      // until started only the startup probe runs; once started (or failed for good) it runs no more
      if (kind == Kind.STARTUP ? started || startup.exhausted() : !started) return;
      int pid;
      try {
        pid = runtime.state(run).pid();
      } catch (RuntimeException gone) {
        return;
      }
      boolean passed = prober.check(probe, container.getPorts(), run, pid);
      ProbeState before = switch (kind) {
        case STARTUP -> slot.startup;
        case READINESS -> slot.readiness;
        case LIVENESS -> slot.liveness;
      };
      if (before == null) return;
      ProbeState after = before.observe(passed);
      switch (kind) {
        case STARTUP -> slot.startup = after;
        case READINESS -> slot.readiness = after;
        case LIVENESS -> slot.liveness = after;
      }
      if (after.result() != before.result() || after.exhausted() != before.exhausted()) dirty.add(key);
    }, delay, period, TimeUnit.SECONDS));
  }

  /**
   * What CNI's loopback plugin does for every pod: the pod's new network namespace has its lo, but down; up, the
   * containers reach each other on 127.0.0.1 and the probes reach them there. Only the pod's namespace is changed.
   */
  private static void loopbackUp(String key, int pid) {
    try {
      Process ip = new ProcessBuilder("nsenter", "--net=/proc/" + pid + "/ns/net", "ip", "link", "set", "lo", "up")
          .redirectErrorStream(true).start();
      String out = new String(ip.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!ip.waitFor(10, TimeUnit.SECONDS) || ip.exitValue() != 0) {
        LOG.warn("pod {}: bring up lo in its network namespace: {}", key, out.strip());
      }
    } catch (IOException e) {
      LOG.warn("pod {}: bring up lo in its network namespace (needs nsenter and ip): {}", key, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void backoff(Slot slot) {
    slot.failures++;
    long seconds = Math.min(MAX_BACKOFF.toSeconds(), FIRST_BACKOFF.toSeconds() << Math.min(slot.failures - 1, 10));
    slot.backoffUntil = clock.instant().plusSeconds(seconds);
  }

  /** A container of this id left by an earlier attempt (a failed start, say) goes before the new one is made. */
  private void removeStale(String id) {
    try {
      runtime.delete(id, true);
    } catch (ContainerNotFoundException absent) {
      // the usual case
    } catch (RuntimeException e) {
      LOG.warn("remove container {}: {}", id, e.toString());
    }
  }

  /** Turns a finished run into Terminated (and removes its runtime container, keeping its log). */
  private void observeExit(Slot slot) {
    if (!(slot.state instanceof ContainerView.State.Running) || !slot.live) return;
    Optional<WaitStatus> status;
    try {
      var exit = runtime.exitFuture(slot.runtimeId);
      if (!exit.isDone()) return;
      status = exit.join();
    } catch (ContainerNotFoundException gone) {
      status = Optional.empty();
    }
    boolean oom = false;
    try {
      oom = runtime.state(slot.runtimeId).oomKilled();
    } catch (RuntimeException ignored) {
      // no state left
    }
    int code = status.map(WaitStatus::exitCode).orElse(255);
    int signal = status.map(WaitStatus::signal).orElse(0);
    String id = slot.runtimeId;
    slot.cancelProbes();
    slot.state = new ContainerView.State.Terminated(code, signal,
        ContainerView.exitReason(signal != 0 ? 128 + signal : code, oom), null, slot.startedAt, clock.instant(),
        "tugboat://" + id);
    slot.last = (ContainerView.State.Terminated) slot.state;
    removeStale(id);
    slot.live = false;
    if (signal == 0 && code == 0) {
      slot.failures = 0;
      slot.backoffUntil = null;
    } else {
      backoff(slot);
    }
  }

  private void reportStatus(Pod pod, PodRecord record, String restartPolicy) {
    List<ContainerView> views = new ArrayList<>();
    for (Container container : pod.getSpec().getContainers()) {
      Slot slot = record.slots.get(container.getName());
      ContainerView.State state = slot.state;
      ContainerView.State.Terminated last = null;
      if (slot.state instanceof ContainerView.State.Terminated t && shouldStart(slot, restartPolicy)) {
        // Waiting to be started again: the run that ended is the last state.
        state = new ContainerView.State.Waiting("CrashLoopBackOff", "back-off restarting failed container "
            + container.getName() + " in pod " + pod.getMetadata().getName());
        last = t;
      } else if (slot.state instanceof ContainerView.State.Running && slot.runs > 1) {
        last = slot.last;
      } else if (slot.state instanceof ContainerView.State.Waiting && slot.last != null) {
        last = slot.last;
      }
      if (slot.imageId == null) {
        // An adopted container: its image's id is looked up again.
        slot.imageId = images.find(container.getImage()).map(i -> i.configDigest().toString()).orElse(null);
      }
      String containerId = slot.runtimeId == null ? null : "tugboat://" + slot.runtimeId;
      boolean started = state instanceof ContainerView.State.Running && (slot.startup == null || slot.startup.result());
      // kubelet counts a container without a readiness probe ready once it has started
      boolean ready = started && (slot.readiness == null || slot.readiness.result());
      views.add(new ContainerView(container.getName(), container.getImage(), slot.imageId, containerId, state, last,
          Math.max(0, slot.runs - 1), ready, started));
    }
    List<PodCondition> previous = pod.getStatus() == null || pod.getStatus().getConditions() == null ? List.of()
        : pod.getStatus().getConditions();
    PodStatus status = PodStatuses.of(restartPolicy, views, record.startTime, hostIp, previous, clock.instant());
    status.setPodIP(null);
    String body = JsonMapper.shared().writeValueAsString(Map.of("status", status));
    if (body.equals(record.lastReported)) return;
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .subresource("status").patch(PatchContext.of(PatchType.JSON_MERGE), body);
      record.lastReported = body;
    } catch (KubernetesClientException e) {
      LOG.warn("pod {}: status update: {}", key(pod), e.getMessage());
    }
  }

  /**
   * Stops the pod's containers: SIGTERM to each first process (tug-init passes it on), SIGKILL to all of them once
   * the grace period is over; when none runs, removes everything of the pod and the pod object.
   */
  private void terminate(String key, PodRecord record, Pod pod) {
    Instant now = clock.instant();
    if (record.terminatingSince == null) {
      record.terminatingSince = now;
      Long grace = pod == null ? Long.valueOf(0) : pod.getMetadata().getDeletionGracePeriodSeconds();
      if (grace == null && pod != null) grace = pod.getSpec().getTerminationGracePeriodSeconds();
      record.killAt = now.plusSeconds(grace == null ? 30 : grace);
      LOG.info("pod {}: stopping its containers (grace {}s)", key, grace);
    }
    Slot running = null;
    for (Slot slot : record.slots.values()) {
      if (exited(slot)) continue;
      running = slot;
      try {
        if (!now.isBefore(record.killAt)) {
          runtime.kill(slot.runtimeId, Linux.SIGKILL, true);
        } else if (!slot.termSent) {
          runtime.kill(slot.runtimeId, Linux.SIGTERM, false);
          slot.termSent = true;
        }
      } catch (ContainerException e) {
        // exited meanwhile
      }
    }
    if (running != null) {
      runtime.exitFuture(running.runtimeId).whenComplete((exit, error) -> dirty.add(key));
      return;
    }
    for (Slot slot : record.slots.values()) {
      slot.cancelProbes();
      if (slot.live) removeStale(slot.runtimeId);
      slot.live = false;
    }
    try {
      deleteTree(podsDir.resolve(record.uid));
    } catch (IOException e) {
      LOG.warn("pod {}: remove {}: {}", key, podsDir.resolve(record.uid), e.toString());
      return;
    }
    records.remove(key);
    if (pod != null) finalizeDeletion(pod);
    LOG.info("pod {}: stopped and removed", key);
  }

  /** Whether the slot's current run has ended (or it has none in the runtime: never started, or removed). */
  private boolean exited(Slot slot) {
    if (!slot.live) return true;
    try {
      return runtime.exitFuture(slot.runtimeId).isDone();
    } catch (ContainerNotFoundException gone) {
      return true;
    }
  }

  /** The last step of a graceful deletion: the node agent has stopped everything, so the object may go now. */
  private void finalizeDeletion(Pod pod) {
    try {
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
          .withGracePeriod(0).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("pod {}: final delete: {}", key(pod), e.getMessage());
    }
  }

  private Path containerDir(String uid, String container) {
    return podsDir.resolve(uid).resolve(container);
  }

  /** Runtime container ids: the pod's uid, the container's name and which run this is. */
  static String runtimeId(String uid, String container, int run) {
    return uid + "_" + container + "_" + run;
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /**
   * Stops every pod's containers and removes them with their pods' directories, leaving the pod objects as they are:
   * what a node that is shut down for good does (tug up's node, when the cluster stops). SIGTERM first, SIGKILL once
   * {@code grace} (or a pod's own shorter grace period) is over. Call after {@link #close}.
   */
  synchronized void removeAllPods(Duration grace) {
    Instant now = clock.instant();
    Instant deadline = now.plus(grace);
    for (PodRecord record : records.values()) {
      Pod pod = desired.values().stream().filter(p -> record.uid.equals(p.getMetadata().getUid())).findFirst()
          .orElse(null);
      Long own = pod == null ? null : pod.getSpec().getTerminationGracePeriodSeconds();
      record.killAt = own != null && now.plusSeconds(own).isBefore(deadline) ? now.plusSeconds(own) : deadline;
      for (Slot slot : record.slots.values()) {
        if (exited(slot)) continue;
        try {
          runtime.kill(slot.runtimeId, Linux.SIGTERM, false);
        } catch (ContainerException exitedMeanwhile) {
          // nothing to stop
        }
      }
    }
    for (PodRecord record : records.values()) {
      for (Slot slot : record.slots.values()) {
        if (exited(slot)) continue;
        long wait = Math.max(0, Duration.between(clock.instant(), record.killAt).toMillis());
        try {
          runtime.exitFuture(slot.runtimeId).get(wait, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException late) {
          try {
            runtime.kill(slot.runtimeId, Linux.SIGKILL, true);
            runtime.exitFuture(slot.runtimeId).get(10, TimeUnit.SECONDS);
          } catch (ContainerException | java.util.concurrent.TimeoutException
              | java.util.concurrent.ExecutionException e) {
            LOG.warn("container {}: SIGKILL: {}", slot.runtimeId, e.toString());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        } catch (java.util.concurrent.ExecutionException | ContainerNotFoundException e) {
          // ended one way or another
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (Map.Entry<String, PodRecord> entry : records.entrySet()) {
      for (Slot slot : entry.getValue().slots.values()) {
        slot.cancelProbes();
        if (slot.live) removeStale(slot.runtimeId);
        slot.live = false;
      }
      try {
        deleteTree(podsDir.resolve(entry.getValue().uid));
      } catch (IOException e) {
        LOG.warn("pod {}: remove {}: {}", entry.getKey(), podsDir.resolve(entry.getValue().uid), e.toString());
      }
      LOG.info("pod {}: stopped and removed as the node shuts down", entry.getKey());
    }
    records.clear();
  }

  @Override
  public void close() {
    closed = true;
    probeTimer.shutdownNow();
    worker.interrupt();
    try {
      worker.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** What the loop keeps per pod between passes. */
  private static final class PodRecord {
    final String uid;
    final Instant startTime;
    final Map<String, Slot> slots = new LinkedHashMap<>();
    String lastReported;
    Instant terminatingSince;
    Instant killAt;

    PodRecord(String uid, Instant startTime) {
      this.uid = uid;
      this.startTime = startTime;
    }
  }

  /** One container of a pod across its runs. */
  private static final class Slot {
    String imageId;
    String runtimeId;
    /** Whether runtimeId names a container the runtime still has (created, not yet removed). */
    boolean live;
    int runs;
    int failures;
    Instant backoffUntil;
    Instant startedAt;
    boolean termSent;
    ContainerView.State state = new ContainerView.State.Waiting("ContainerCreating", null);
    ContainerView.State.Terminated last;
    /** The run whose probes are scheduled, their results (null: no such probe) and their tasks. */
    String probedRun;
    volatile ProbeState readiness;
    volatile ProbeState liveness;
    volatile ProbeState startup;
    /** Killed for a failed liveness or startup probe in this run: killed once. */
    boolean killedByProbe;
    final List<java.util.concurrent.Future<?>> probes = new java.util.concurrent.CopyOnWriteArrayList<>();

    void cancelProbes() {
      probes.forEach(f -> f.cancel(false));
      probes.clear();
      probedRun = null;
    }
  }
}
