package dev.tugboat.runtime.oci;

import java.util.List;
import java.util.Map;

/**
 * An OCI runtime spec (a bundle's config.json), as far as Tugboat runs it. Built only by {@link SpecParser}, so an
 * instance is always valid.
 */
public record Spec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
    LinuxConfig linux, Map<String, String> annotations) {

  public record Process(boolean terminal, User user, List<String> args, List<String> env, String cwd,
      Capabilities capabilities, List<Rlimit> rlimits, boolean noNewPrivileges) {}

  /** The process's user: uid, gid and supplementary groups, numeric as in the spec. */
  public record User(long uid, long gid, List<Long> additionalGids) {}

  /** Capability sets as masks (bit n = capability n); null in {@link Process} means "keep all" (runc does too). */
  public record Capabilities(long bounding, long effective, long inheritable, long permitted, long ambient) {
    /**
     * These sets with the capability {@code name} (CAP_...) added as runc exec --cap adds it: to the bounding,
     * effective and permitted sets, and to the ambient set only where some inheritable capability is set (without
     * inheritable ones an ambient capability cannot be raised).
     */
    public Capabilities plus(String name) {
      int bit = Capability.bit(name);
      if (bit < 0) throw new SpecException("unknown capability \"" + name + "\" (expected a name like CAP_SYS_ADMIN)");
      long mask = 1L << bit;
      return new Capabilities(bounding | mask, effective | mask, inheritable, permitted | mask,
          inheritable != 0 ? ambient | mask : ambient);
    }
  }

  /** A resource limit; -1 stands for unlimited. */
  public record Rlimit(String type, int resource, long soft, long hard) {}

  public record Root(String path, boolean readonly) {}

  public record Mount(String destination, String type, String source, List<String> options) {}

  public record LinuxConfig(List<Namespace> namespaces, Resources resources, String cgroupsPath,
      List<String> maskedPaths, List<String> readonlyPaths, String rootfsPropagation) {

    public boolean creates(NamespaceType type) {
      return namespaces.stream().anyMatch(n -> n.type() == type && n.path() == null);
    }

    public boolean has(NamespaceType type) {
      return namespaces.stream().anyMatch(n -> n.type() == type);
    }
  }

  /** A namespace to create (path null) or to join (path of its /proc/PID/ns file or a bind mount of it). */
  public record Namespace(NamespaceType type, String path) {}

  /** linux.resources: null fields are unset. Device rules are parsed but not enforced (no devices controller). */
  public record Resources(Long memoryLimit, Long memoryReservation, Long memorySwap, Long cpuShares, Long cpuQuota,
      Long cpuPeriod, String cpusetCpus, String cpusetMems, Long pidsLimit) {
    public static final Resources NONE = new Resources(null, null, null, null, null, null, null, null, null);
  }
}
