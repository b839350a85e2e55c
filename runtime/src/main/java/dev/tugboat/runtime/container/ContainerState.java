package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.WaitStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.ObjectMapper;

/**
 * The OCI state of a container, plus how its process ended when that is known (a stopped container whose exit was
 * seen by this runtime, or recorded by tug-init in init mode), and whether the kernel's OOM killer struck in its
 * cgroup (Kubernetes' OOMKilled).
 */
public record ContainerState(String id, ContainerStatus status, int pid, String bundle, String rootfs, String created,
    Map<String, String> annotations, Optional<WaitStatus> exit, boolean oomKilled) {
  public static final String OCI_VERSION = "1.0.2";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The state JSON of the OCI runtime spec, with runc's extra fields (rootfs, created, owner empty as in runc's state). */
  public String toJson() {
    return toJson("");
  }

  /** The same with the owner filled in, as runc's list prints it: the user owning the container's state directory. */
  public String toJson(String owner) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ociVersion", OCI_VERSION);
    m.put("id", id);
    m.put("status", status.specName());
    m.put("pid", status == ContainerStatus.STOPPED ? 0 : pid);
    m.put("bundle", bundle);
    m.put("rootfs", rootfs);
    m.put("created", created);
    m.put("owner", owner);
    if (!annotations.isEmpty()) m.put("annotations", annotations);
    exit.ifPresent(e -> {
      if (e.signaled()) m.put("exitSignal", dev.tugboat.nativebindings.Signals.name(e.signal()));
      else m.put("exitCode", e.exitCode());
    });
    if (oomKilled) m.put("oomKilled", true);
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m);
  }
}
