package dev.tugboat.runtime.kubelet;

import dev.tugboat.runtime.images.ImageConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OCI config.json of one container of a pod: the process from the container's command, args, env and workingDir
 * over the image's entrypoint, cmd, env and working dir (Kubernetes' rules), runc's default mounts and capabilities,
 * and the namespaces: the pod's first container makes net, ipc and uts (hostname = pod name), the others join them.
 */
final class PodContainerSpec {

  private static final List<String> CAPABILITIES = List.of("CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID",
      "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  static final String NAMESPACE_ANNOTATION = "io.kubernetes.pod.namespace";
  static final String NAME_ANNOTATION = "io.kubernetes.pod.name";
  static final String UID_ANNOTATION = "io.kubernetes.pod.uid";
  static final String CONTAINER_ANNOTATION = "io.kubernetes.container.name";
  private static final long CFS_PERIOD_MICROS = 100_000;

  private PodContainerSpec() {}

  /** The process's argv: Kubernetes' command/args over the image's Entrypoint/Cmd. */
  static List<String> argv(Container container, ImageConfig image) {
    List<String> command = container.getCommand() == null ? List.of() : container.getCommand();
    List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
    List<String> argv = new ArrayList<>();
    if (!command.isEmpty()) {
      argv.addAll(command);
      argv.addAll(args);
    } else {
      argv.addAll(image.entrypoint());
      argv.addAll(args.isEmpty() ? image.cmd() : args);
    }
    return argv;
  }

  /**
   * What this node agent cannot run yet in a container of this pod, in words for the container's waiting message
   * (CreateContainerConfigError), or null: init containers, volume mounts, env from ConfigMaps, Secrets or resources.
   */
  static String unsupported(Pod pod, Container container) {
    if (pod.getSpec().getInitContainers() != null && !pod.getSpec().getInitContainers().isEmpty()) {
      return "spec.initContainers: this node agent does not run init containers yet";
    }
    if (container.getVolumeMounts() != null) {
      for (VolumeMount mount : container.getVolumeMounts()) {
        Volume volume = volume(pod, mount.getName());
        if (volume == null) return "volumeMounts " + mount.getName() + ": the pod has no volume of that name";
        if (volume.getEmptyDir() == null) {
          return "volume " + mount.getName() + ": this node agent mounts only emptyDir volumes yet";
        }
        if (mount.getSubPath() != null && !mount.getSubPath().isEmpty()) {
          return "volumeMounts " + mount.getName() + ": subPath is not supported yet";
        }
      }
    }
    if (container.getEnvFrom() != null && !container.getEnvFrom().isEmpty()) {
      return "envFrom: this node agent reads no ConfigMaps or Secrets yet";
    }
    if (container.getEnv() != null) {
      for (EnvVar var : container.getEnv()) {
        if (var.getValueFrom() != null && (var.getValueFrom().getFieldRef() == null
            || fieldRef(pod, var.getValueFrom().getFieldRef().getFieldPath()) == null)) {
          return "env " + var.getName() + ": valueFrom: this node agent resolves only fieldRef to metadata.name, "
              + "metadata.namespace, metadata.uid, spec.nodeName, spec.serviceAccountName and status.hostIP";
        }
      }
    }
    return null;
  }

  private static Volume volume(Pod pod, String name) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) return null;
    return pod.getSpec().getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst().orElse(null);
  }

  /** The pod's emptyDir volumes that {@code container} mounts. */
  static List<String> emptyDirs(Pod pod, Container container) {
    List<String> names = new ArrayList<>();
    if (container.getVolumeMounts() == null) return names;
    for (VolumeMount mount : container.getVolumeMounts()) {
      Volume volume = volume(pod, mount.getName());
      if (volume != null && volume.getEmptyDir() != null && !names.contains(mount.getName())) names.add(mount.getName());
    }
    return names;
  }

  /** The downward API fields this agent knows, or null. */
  static String fieldRef(Pod pod, String path) {
    return switch (path == null ? "" : path) {
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "spec.nodeName" -> pod.getSpec() == null ? null : pod.getSpec().getNodeName();
      case "spec.serviceAccountName" -> pod.getSpec() == null || pod.getSpec().getServiceAccountName() == null ? ""
          : pod.getSpec().getServiceAccountName();
      case "status.hostIP" -> pod.getStatus() == null || pod.getStatus().getHostIP() == null ? ""
          : pod.getStatus().getHostIP();
      default -> null;
    };
  }

  /** The image's env, then the container's values over it (fieldRef resolved, $(VAR) expanded). */
  static List<String> env(Pod pod, Container container, ImageConfig image) {
    Map<String, String> env = new LinkedHashMap<>();
    for (String entry : image.env()) {
      int eq = entry.indexOf('=');
      if (eq > 0) env.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    env.putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    env.put("HOSTNAME", pod.getMetadata().getName());
    if (container.getEnv() != null) {
      for (EnvVar var : container.getEnv()) {
        if (var.getValueFrom() == null) {
          env.put(var.getName(), var.getValue() == null ? "" : expand(var.getValue(), env));
        } else if (var.getValueFrom().getFieldRef() != null) {
          String value = fieldRef(pod, var.getValueFrom().getFieldRef().getFieldPath());
          if (value != null) env.put(var.getName(), value);
        }
      }
    }
    List<String> out = new ArrayList<>();
    env.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  /** Kubernetes' $(VAR) expansion against the variables defined before; $$ escapes. */
  static String expand(String value, Map<String, String> env) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '$') {
        out.append('$');
        i++;
      } else if (c == '$' && i + 1 < value.length() && value.charAt(i + 1) == '(') {
        int end = value.indexOf(')', i + 2);
        String name = end < 0 ? null : value.substring(i + 2, end);
        if (name != null && env.containsKey(name)) {
          out.append(env.get(name));
          i = end;
        } else {
          out.append(c);
        }
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * @param sandboxPid the pid of the pod's first running container, whose net, ipc and uts namespaces this one
   *     joins; 0 if this container is the first
   * @param cgroupsPath below the tugboat parent, one cgroup per container
   */
  static ObjectNode of(Pod pod, Container container, ImageConfig image, int sandboxPid, String cgroupsPath) {
    return of(pod, container, image, sandboxPid, cgroupsPath, Map.of());
  }

  /** @param volumeDirs the host directory of each emptyDir volume the container mounts, by volume name */
  static ObjectNode of(Pod pod, Container container, ImageConfig image, int sandboxPid, String cgroupsPath,
      Map<String, java.nio.file.Path> volumeDirs) {
    JsonMapper json = JsonMapper.shared();
    ObjectNode spec = json.createObjectNode();
    spec.put("ociVersion", "1.0.2-dev");
    ObjectNode process = spec.putObject("process");
    process.put("terminal", false);
    ObjectNode user = process.putObject("user");
    Long uid = container.getSecurityContext() == null ? null : container.getSecurityContext().getRunAsUser();
    Long gid = container.getSecurityContext() == null ? null : container.getSecurityContext().getRunAsGroup();
    user.put("uid", uid == null ? 0 : uid);
    user.put("gid", gid == null ? 0 : gid);
    ArrayNode args = process.putArray("args");
    argv(container, image).forEach(args::add);
    ArrayNode env = process.putArray("env");
    env(pod, container, image).forEach(env::add);
    String cwd = container.getWorkingDir() != null && !container.getWorkingDir().isEmpty() ? container.getWorkingDir()
        : image.workingDir() != null ? image.workingDir() : "/";
    process.put("cwd", cwd);
    ObjectNode capabilities = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "permitted")) {
      ArrayNode list = capabilities.putArray(set);
      CAPABILITIES.forEach(list::add);
    }
    // No rlimits: the container keeps the agent's, as under containerd's defaults.
    process.put("noNewPrivileges", false);
    spec.putObject("root").put("path", "rootfs").put("readonly", false);
    if (sandboxPid == 0) spec.put("hostname", pod.getMetadata().getName());
    ArrayNode mounts = spec.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc");
    mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
    mount(mounts, "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
    mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k");
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
    mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro");
    if (container.getVolumeMounts() != null) {
      for (VolumeMount volume : container.getVolumeMounts()) {
        java.nio.file.Path dir = volumeDirs.get(volume.getName());
        if (dir == null) continue;
        boolean readOnly = Boolean.TRUE.equals(volume.getReadOnly());
        mount(mounts, volume.getMountPath(), "bind", dir.toString(), "rbind", readOnly ? "ro" : "rw");
      }
    }
    ObjectNode linux = spec.putObject("linux");
    linux.put("cgroupsPath", cgroupsPath);
    resources(container, linux);
    ArrayNode namespaces = linux.putArray("namespaces");
    namespaces.addObject().put("type", "pid");
    namespaces.addObject().put("type", "mount");
    for (String[] shared : new String[][] {{"network", "net"}, {"ipc", "ipc"}, {"uts", "uts"}}) {
      ObjectNode namespace = namespaces.addObject().put("type", shared[0]);
      if (sandboxPid != 0) namespace.put("path", "/proc/" + sandboxPid + "/ns/" + shared[1]);
    }
    ArrayNode masked = linux.putArray("maskedPaths");
    for (String path : List.of("/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
        "/proc/sched_debug", "/sys/firmware", "/proc/scsi")) {
      masked.add(path);
    }
    ArrayNode readonly = linux.putArray("readonlyPaths");
    for (String path : List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")) {
      readonly.add(path);
    }
    ObjectNode annotations = spec.putObject("annotations");
    annotations.put(NAMESPACE_ANNOTATION, pod.getMetadata().getNamespace());
    annotations.put(NAME_ANNOTATION, pod.getMetadata().getName());
    annotations.put(UID_ANNOTATION, pod.getMetadata().getUid());
    annotations.put(CONTAINER_ANNOTATION, container.getName());
    return spec;
  }

  /**
   * resources.limits and requests as kubelet turns them into cgroup values: memory limit in bytes, CPU limit as a
   * CFS quota over a 100 ms period, CPU request as shares (1024 per CPU, at least 2).
   */
  static void resources(Container container, ObjectNode linux) {
    ResourceRequirements resources = container.getResources();
    if (resources == null) return;
    Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
    Map<String, Quantity> requests = resources.getRequests() == null ? Map.of() : resources.getRequests();
    ObjectNode out = JsonMapper.shared().createObjectNode();
    if (limits.containsKey("memory")) {
      out.putObject("memory").put("limit", Quantity.getAmountInBytes(limits.get("memory")).longValue());
    }
    Quantity cpuRequest = requests.containsKey("cpu") ? requests.get("cpu") : limits.get("cpu");
    if (cpuRequest != null || limits.containsKey("cpu")) {
      ObjectNode cpu = out.putObject("cpu");
      if (cpuRequest != null) cpu.put("shares", Math.max(2, millicores(cpuRequest) * 1024 / 1000));
      if (limits.containsKey("cpu")) {
        cpu.put("quota", Math.max(1000, millicores(limits.get("cpu")) * CFS_PERIOD_MICROS / 1000));
        cpu.put("period", CFS_PERIOD_MICROS);
      }
    }
    if (!out.isEmpty()) linux.set("resources", out);
  }

  private static long millicores(Quantity cpu) {
    return Quantity.getAmountInBytes(cpu).multiply(java.math.BigDecimal.valueOf(1000))
        .setScale(0, java.math.RoundingMode.CEILING).longValue();
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
    ObjectNode mount = mounts.addObject().put("destination", destination).put("type", type).put("source", source);
    if (options.length > 0) {
      ArrayNode list = mount.putArray("options");
      for (String option : options) list.add(option);
    }
  }
}
