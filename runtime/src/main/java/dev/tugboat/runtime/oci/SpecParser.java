package dev.tugboat.runtime.oci;

import dev.tugboat.runtime.oci.Spec.Capabilities;
import dev.tugboat.runtime.oci.Spec.LinuxConfig;
import dev.tugboat.runtime.oci.Spec.Mount;
import dev.tugboat.runtime.oci.Spec.Namespace;
import dev.tugboat.runtime.oci.Spec.Process;
import dev.tugboat.runtime.oci.Spec.Resources;
import dev.tugboat.runtime.oci.Spec.Rlimit;
import dev.tugboat.runtime.oci.Spec.Root;
import dev.tugboat.runtime.oci.Spec.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Parses and validates config.json: the fields `runc spec` writes, plus linux.resources memory, cpu and pids. Any
 * field it does not know, of the wrong type, or that Tugboat cannot honour is an error naming its JSON path; it never
 * touches the system, so nothing is created for a bad spec.
 */
public final class SpecParser {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> PROPAGATIONS = Set.of("private", "rprivate", "slave", "rslave", "shared", "rshared");

  private SpecParser() {}

  /** Reads {@code bundle/config.json}. */
  public static Spec read(Path bundle) {
    Path file = bundle.resolve("config.json");
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new SpecException("config.json: not found in bundle " + bundle);
    } catch (IOException e) {
      throw new SpecException("config.json: cannot read " + file + ": " + e.getMessage());
    }
    return parse(text);
  }

  public static Spec parse(String json) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new SpecException("config.json: not valid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode()) throw new SpecException("config.json: empty");
    JsonObjectReader top = new JsonObjectReader(tree, "$");
    top.unsupported("hooks", "solaris", "windows", "vm", "zos", "domainname");
    String version = top.requiredString("ociVersion");
    if (!version.startsWith("1.")) throw top.fieldError("ociVersion", "unsupported version \"%s\" (expected 1.x)", version);
    JsonObjectReader processReader = top.object("process");
    if (processReader == null) throw top.fieldError("process", "required");
    Process process = process(processReader);
    JsonObjectReader rootReader = top.object("root");
    if (rootReader == null) throw top.fieldError("root", "required");
    Root root = new Root(rootReader.requiredString("path"), rootReader.bool("readonly", false));
    if (root.path().isEmpty()) throw rootReader.fieldError("path", "must not be empty");
    rootReader.finish();
    String hostname = top.string("hostname", null);
    List<Mount> mounts = new ArrayList<>();
    for (JsonObjectReader m : top.objects("mounts")) mounts.add(mount(m));
    JsonObjectReader linuxReader = top.object("linux");
    LinuxConfig linux = linuxReader == null
        ? new LinuxConfig(List.of(), Resources.NONE, null, List.of(), List.of(), null)
        : linux(linuxReader);
    if (hostname != null && !hostname.isEmpty() && !linux.creates(NamespaceType.UTS)) {
      throw JsonObjectReader.error("$.hostname", "needs a new uts namespace in $.linux.namespaces");
    }
    var annotations = top.stringMap("annotations");
    top.finish();
    return new Spec(version, process, root, hostname, List.copyOf(mounts), linux, annotations);
  }

  /** Parses a process.json (runc exec --process): one process object of the spec. */
  public static Process parseProcess(String json) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new SpecException("process.json: not valid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode()) throw new SpecException("process.json: empty");
    try {
      return process(new JsonObjectReader(tree, "$"));
    } catch (SpecException e) {
      throw new SpecException(e.getMessage().replaceFirst("^config.json", "process.json"));
    }
  }

  private static Process process(JsonObjectReader p) {
    p.unsupported("commandLine", "apparmorProfile", "selinuxLabel", "oomScoreAdj", "scheduler", "ioPriority",
        "execCPUAffinity");
    p.ignored("consoleSize");
    boolean terminal = p.bool("terminal", false);
    JsonObjectReader u = p.object("user");
    if (u == null) throw p.fieldError("user", "required");
    u.unsupported("umask");
    u.ignored("username");
    long uid = u.requiredInteger("uid");
    long gid = u.requiredInteger("gid");
    if (uid < 0) throw u.fieldError("uid", "must not be negative");
    if (gid < 0) throw u.fieldError("gid", "must not be negative");
    List<Long> groups = u.integers("additionalGids");
    for (int i = 0; i < groups.size(); i++) {
      if (groups.get(i) < 0) throw JsonObjectReader.error(u.path("additionalGids") + "[" + i + "]", "must not be negative");
    }
    u.finish();
    List<String> args = p.strings("args");
    if (args.isEmpty()) throw p.fieldError("args", "must be a non-empty array");
    List<String> env = p.strings("env");
    for (int i = 0; i < env.size(); i++) {
      if (env.get(i).indexOf('=') <= 0) {
        throw JsonObjectReader.error(p.path("env") + "[" + i + "]", "expected NAME=value, got \"" + env.get(i) + "\"");
      }
    }
    String cwd = p.requiredString("cwd");
    if (!cwd.startsWith("/")) throw p.fieldError("cwd", "must be an absolute path, got \"%s\"", cwd);
    JsonObjectReader c = p.object("capabilities");
    Capabilities caps = c == null ? null : capabilities(c);
    List<Rlimit> rlimits = new ArrayList<>();
    Set<String> seen = new java.util.HashSet<>();
    for (JsonObjectReader r : p.objects("rlimits")) {
      String type = r.requiredString("type");
      int resource = RlimitType.resource(type);
      if (resource < 0) throw r.fieldError("type", "unknown rlimit \"%s\"", type);
      if (!seen.add(type)) throw r.fieldError("type", "duplicate rlimit \"%s\"", type);
      long soft = r.requiredInteger("soft");
      long hard = r.requiredInteger("hard");
      if (Long.compareUnsigned(soft, hard) > 0) throw r.fieldError("soft", "greater than hard (%d > %d)", soft, hard);
      r.finish();
      rlimits.add(new Rlimit(type, resource, soft, hard));
    }
    boolean noNewPrivileges = p.bool("noNewPrivileges", false);
    p.finish();
    return new Process(terminal, new User(uid, gid, groups), args, env, cwd, caps, List.copyOf(rlimits),
        noNewPrivileges);
  }

  private static Capabilities capabilities(JsonObjectReader c) {
    long bounding = capabilitySet(c, "bounding");
    long effective = capabilitySet(c, "effective");
    long inheritable = capabilitySet(c, "inheritable");
    long permitted = capabilitySet(c, "permitted");
    long ambient = capabilitySet(c, "ambient");
    c.finish();
    return new Capabilities(bounding, effective, inheritable, permitted, ambient);
  }

  private static long capabilitySet(JsonObjectReader c, String name) {
    List<String> names = c.strings(name);
    long mask = 0;
    for (int i = 0; i < names.size(); i++) {
      int bit = Capability.bit(names.get(i));
      if (bit < 0) throw JsonObjectReader.error(c.path(name) + "[" + i + "]", "unknown capability \"" + names.get(i) + "\"");
      mask |= 1L << bit;
    }
    return mask;
  }

  private static Mount mount(JsonObjectReader m) {
    m.unsupported("uidMappings", "gidMappings");
    String destination = m.requiredString("destination");
    if (!destination.startsWith("/")) throw m.fieldError("destination", "must be an absolute path, got \"%s\"", destination);
    String type = m.string("type", null);
    String source = m.string("source", null);
    List<String> options = m.strings("options");
    boolean bind = options.contains("bind") || options.contains("rbind") || "bind".equals(type);
    if (type == null && !bind) throw m.fieldError("type", "required unless options contain bind or rbind");
    if (bind && (source == null || source.isEmpty())) throw m.fieldError("source", "required for a bind mount");
    m.finish();
    return new Mount(destination, type == null ? "bind" : type, source, options);
  }

  private static LinuxConfig linux(JsonObjectReader l) {
    l.unsupported("uidMappings", "gidMappings", "timeOffsets", "devices", "netDevices", "sysctl", "seccomp",
        "intelRdt", "personality");
    l.ignored("mountLabel");
    List<Namespace> namespaces = new ArrayList<>();
    EnumSet<NamespaceType> seen = EnumSet.noneOf(NamespaceType.class);
    for (JsonObjectReader n : l.objects("namespaces")) {
      String name = n.requiredString("type");
      NamespaceType type = NamespaceType.fromSpec(name);
      if (type == null) throw n.fieldError("type", "unknown namespace type \"%s\"", name);
      if (type == NamespaceType.USER) throw n.fieldError("type", "not supported by Tugboat: user namespaces");
      if (!seen.add(type)) throw n.fieldError("type", "duplicate namespace \"%s\"", name);
      String path = n.string("path", null);
      if (path != null && path.isEmpty()) path = null;
      if (path != null && !path.startsWith("/")) throw n.fieldError("path", "must be an absolute path, got \"%s\"", path);
      n.finish();
      namespaces.add(new Namespace(type, path));
    }
    JsonObjectReader r = l.object("resources");
    Resources resources = r == null ? Resources.NONE : resources(r);
    String cgroupsPath = l.string("cgroupsPath", null);
    List<String> masked = absolutePaths(l, "maskedPaths");
    List<String> readonly = absolutePaths(l, "readonlyPaths");
    String propagation = l.string("rootfsPropagation", null);
    if (propagation != null && !PROPAGATIONS.contains(propagation)) {
      throw l.fieldError("rootfsPropagation", "expected one of %s, got \"%s\"", new java.util.TreeSet<>(PROPAGATIONS), propagation);
    }
    l.finish();
    return new LinuxConfig(List.copyOf(namespaces), resources, cgroupsPath, masked, readonly, propagation);
  }

  /** A linux.resources object on its own, as runc update -r reads it; errors name their path from "$". */
  public static Resources parseResources(String json) {
    JsonNode tree;
    try {
      tree = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new SpecException("resources: not valid JSON: " + e.getOriginalMessage());
    }
    if (tree == null || tree.isMissingNode() || !tree.isObject()) throw new SpecException("resources: expected a JSON object");
    try {
      return resources(new JsonObjectReader(tree, "$"));
    } catch (SpecException e) {
      throw new SpecException(e.getMessage().replaceFirst("^config.json", "resources"));
    }
  }

  private static List<String> absolutePaths(JsonObjectReader l, String name) {
    List<String> paths = l.strings(name);
    for (int i = 0; i < paths.size(); i++) {
      if (!paths.get(i).startsWith("/")) {
        throw JsonObjectReader.error(l.path(name) + "[" + i + "]", "must be an absolute path, got \"" + paths.get(i) + "\"");
      }
    }
    return paths;
  }

  private static Resources resources(JsonObjectReader r) {
    r.unsupported("blockIO", "hugepageLimits", "network", "rdma", "unified");
    for (JsonObjectReader d : r.objects("devices")) {
      // The devices cgroup rules are checked for shape and not enforced: Tugboat keeps no devices controller.
      d.bool("allow", false);
      d.string("type", null);
      d.integer("major");
      d.integer("minor");
      String access = d.string("access", "rwm");
      if (!access.matches("[rwm]*")) throw d.fieldError("access", "expected letters of \"rwm\", got \"%s\"", access);
      d.finish();
    }
    Long memoryLimit = null;
    Long memoryReservation = null;
    Long memorySwap = null;
    JsonObjectReader m = r.object("memory");
    if (m != null) {
      m.unsupported("kernel", "kernelTCP", "swappiness", "disableOOMKiller", "useHierarchy", "checkBeforeUpdate");
      memoryLimit = m.integer("limit");
      memoryReservation = m.integer("reservation");
      memorySwap = m.integer("swap");
      if (memoryLimit != null && memoryLimit == 0) throw m.fieldError("limit", "must be positive or -1 (unlimited)");
      m.finish();
    }
    Long shares = null;
    Long quota = null;
    Long period = null;
    String cpus = null;
    String mems = null;
    JsonObjectReader c = r.object("cpu");
    if (c != null) {
      c.unsupported("realtimeRuntime", "realtimePeriod", "idle", "burst");
      shares = c.integer("shares");
      quota = c.integer("quota");
      period = c.integer("period");
      cpus = c.string("cpus", null);
      mems = c.string("mems", null);
      if (shares != null && shares < 2) throw c.fieldError("shares", "must be at least 2, got %d", shares);
      if (period != null && (period < 1000 || period > 1_000_000)) {
        throw c.fieldError("period", "must be between 1000 and 1000000 microseconds, got %d", period);
      }
      if (quota != null && quota != -1 && quota < 1000) throw c.fieldError("quota", "must be at least 1000 or -1, got %d", quota);
      if (cpus != null && !cpus.matches("\\d+(-\\d+)?(,\\d+(-\\d+)?)*")) {
        throw c.fieldError("cpus", "expected a cpu list like \"0-2,4\", got \"%s\"", cpus);
      }
      c.finish();
    }
    Long pids = null;
    JsonObjectReader p = r.object("pids");
    if (p != null) {
      pids = p.requiredInteger("limit");
      p.finish();
    }
    r.finish();
    return new Resources(memoryLimit, memoryReservation, memorySwap, shares, quota, period, cpus, mems, pids);
  }
}
