package dev.tugboat.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.node.ObjectNode;

class SpecParserTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String runcSpec;

  @BeforeAll
  static void generateTheSpecRuncWrites(@TempDir Path dir) throws Exception {
    Process p = new ProcessBuilder("runc", "spec").directory(dir.toFile()).inheritIO().start();
    assertThat(p.waitFor()).isZero();
    runcSpec = Files.readString(dir.resolve("config.json"));
  }

  /** The runc spec with the value at a dotted path ("linux.resources.memory") set to JSON text, or removed if null. */
  private static String with(String path, String json) {
    ObjectNode root = (ObjectNode) JSON.readTree(runcSpec);
    String[] parts = path.split("\\.");
    JsonNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode next = parts[i].matches("\\d+") ? node.get(Integer.parseInt(parts[i])) : node.get(parts[i]);
      if (next == null) {
        next = JSON.createObjectNode();
        ((ObjectNode) node).set(parts[i], next);
      }
      node = next;
    }
    String last = parts[parts.length - 1];
    if (node instanceof ObjectNode object) {
      if (json == null) object.remove(last);
      else object.set(last, JSON.readTree(json));
    } else {
      ((tools.jackson.databind.node.ArrayNode) node).set(Integer.parseInt(last), JSON.readTree(json));
    }
    return JSON.writeValueAsString(root);
  }

  @Test
  void readsEverythingRuncSpecWrites() {
    Spec spec = SpecParser.parse(runcSpec);
    assertThat(spec.ociVersion()).startsWith("1.0");
    assertThat(spec.process().terminal()).isTrue();
    assertThat(spec.process().args()).containsExactly("sh");
    assertThat(spec.process().env()).contains("TERM=xterm");
    assertThat(spec.process().cwd()).isEqualTo("/");
    assertThat(spec.process().user()).isEqualTo(new Spec.User(0, 0, List.of()));
    assertThat(spec.process().noNewPrivileges()).isTrue();
    long kill = 1L << 5;
    long netBind = 1L << 10;
    long auditWrite = 1L << 29;
    assertThat(spec.process().capabilities().bounding()).isEqualTo(kill | netBind | auditWrite);
    assertThat(spec.process().rlimits()).containsExactly(new Spec.Rlimit("RLIMIT_NOFILE", 7, 1024, 1024));
    assertThat(spec.root()).isEqualTo(new Spec.Root("rootfs", true));
    assertThat(spec.hostname()).isEqualTo("runc");
    assertThat(spec.mounts()).extracting(Spec.Mount::type)
        .containsExactly("proc", "tmpfs", "devpts", "tmpfs", "mqueue", "sysfs", "cgroup");
    assertThat(spec.linux().namespaces()).extracting(Spec.Namespace::type).containsExactly(
        NamespaceType.PID, NamespaceType.NETWORK, NamespaceType.IPC, NamespaceType.UTS, NamespaceType.MOUNT);
    assertThat(spec.linux().maskedPaths()).contains("/proc/kcore");
    assertThat(spec.linux().readonlyPaths()).contains("/proc/sys");
    assertThat(spec.linux().resources()).isEqualTo(Spec.Resources.NONE);
  }

  @Test
  void readsResourcesUserGroupsAndJoinedNamespaces() {
    String json = with("linux.resources", """
        {"memory": {"limit": 67108864, "reservation": 1048576, "swap": 134217728},
         "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0-1", "mems": "0"},
         "pids": {"limit": 64}}""");
    json = with(json, "process.user", "{\"uid\": 1000, \"gid\": 100, \"additionalGids\": [10, 20]}");
    json = with(json, "linux.namespaces", "[{\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}, {\"type\": \"mount\"}]");
    json = with(json, "hostname", null);
    Spec spec = SpecParser.parse(json);
    assertThat(spec.linux().resources()).isEqualTo(
        new Spec.Resources(67108864L, 1048576L, 134217728L, 512L, 50000L, 100000L, "0-1", "0", 64L));
    assertThat(spec.process().user()).isEqualTo(new Spec.User(1000, 100, List.of(10L, 20L)));
    assertThat(spec.linux().namespaces()).containsExactly(
        new Spec.Namespace(NamespaceType.NETWORK, "/proc/1/ns/net"), new Spec.Namespace(NamespaceType.MOUNT, null));
  }

  @Test
  void unsignedMaximumMeansUnlimited() {
    Spec spec = SpecParser.parse(with("process.rlimits", "[{\"type\": \"RLIMIT_CORE\", \"soft\": 18446744073709551615, \"hard\": 18446744073709551615}]"));
    assertThat(spec.process().rlimits()).containsExactly(new Spec.Rlimit("RLIMIT_CORE", 4, -1, -1));
  }

  private static String with(String base, String path, String json) {
    String saved = runcSpec;
    runcSpec = base;
    try {
      return with(path, json);
    } finally {
      runcSpec = saved;
    }
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        Arguments.of("linux.resources", "{\"memory\": {\"limit\": \"64M\"}}", "$.linux.resources.memory.limit: expected integer"),
        Arguments.of("linux.resources", "{\"memory\": {\"limit\": 1.5}}", "$.linux.resources.memory.limit: expected integer"),
        Arguments.of("linux.resources", "{\"memory\": {\"limit\": 0}}", "$.linux.resources.memory.limit: must be positive or -1 (unlimited)"),
        Arguments.of("linux.resources", "{\"memory\": {\"kernel\": 1}}", "$.linux.resources.memory.kernel: not supported by Tugboat"),
        Arguments.of("linux.resources", "{\"cpu\": {\"shares\": 1}}", "$.linux.resources.cpu.shares: must be at least 2, got 1"),
        Arguments.of("linux.resources", "{\"cpu\": {\"period\": 10}}", "$.linux.resources.cpu.period: must be between 1000 and 1000000 microseconds, got 10"),
        Arguments.of("linux.resources", "{\"cpu\": {\"cpus\": \"a-b\"}}", "$.linux.resources.cpu.cpus: expected a cpu list like \"0-2,4\", got \"a-b\""),
        Arguments.of("linux.resources", "{\"pids\": {}}", "$.linux.resources.pids.limit: required"),
        Arguments.of("linux.resources", "{\"blockIO\": {}}", "$.linux.resources.blockIO: not supported by Tugboat"),
        Arguments.of("linux.resources", "{\"devices\": [{\"allow\": false, \"access\": \"x\"}]}", "$.linux.resources.devices[0].access: expected letters of \"rwm\", got \"x\""),
        Arguments.of("linux.resources", "{\"memroy\": {}}", "$.linux.resources.memroy: unknown field"),
        Arguments.of("ociVersion", "\"2.0.0\"", "$.ociVersion: unsupported version \"2.0.0\" (expected 1.x)"),
        Arguments.of("ociVersion", null, "$.ociVersion: required"),
        Arguments.of("process", null, "$.process: required"),
        Arguments.of("process", "[]", "$.process: expected object"),
        Arguments.of("process.args", "[]", "$.process.args: must be a non-empty array"),
        Arguments.of("process.args", "\"sh\"", "$.process.args: expected array of strings"),
        Arguments.of("process.args", "[\"sh\", 1]", "$.process.args[1]: expected string"),
        Arguments.of("process.env", "[\"PATH\"]", "$.process.env[0]: expected NAME=value, got \"PATH\""),
        Arguments.of("process.cwd", "\"tmp\"", "$.process.cwd: must be an absolute path, got \"tmp\""),
        Arguments.of("process.cwd", null, "$.process.cwd: required"),
        Arguments.of("process.terminal", "\"yes\"", "$.process.terminal: expected boolean"),
        Arguments.of("process.user", null, "$.process.user: required"),
        Arguments.of("process.user.uid", "-1", "$.process.user.uid: must not be negative"),
        Arguments.of("process.user.additionalGids", "[1, \"x\"]", "$.process.user.additionalGids[1]: expected integer"),
        Arguments.of("process.user.umask", "18", "$.process.user.umask: not supported by Tugboat"),
        Arguments.of("process.capabilities.bounding", "[\"CAP_FLY\"]", "$.process.capabilities.bounding[0]: unknown capability \"CAP_FLY\""),
        Arguments.of("process.rlimits", "[{\"type\": \"RLIMIT_SPEED\", \"soft\": 1, \"hard\": 1}]", "$.process.rlimits[0].type: unknown rlimit \"RLIMIT_SPEED\""),
        Arguments.of("process.rlimits", "[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", "$.process.rlimits[0].soft: greater than hard (2 > 1)"),
        Arguments.of("process.rlimits", "[{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}, {\"type\": \"RLIMIT_NOFILE\", \"soft\": 1, \"hard\": 1}]", "$.process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\""),
        Arguments.of("process.oomScoreAdj", "100", "$.process.oomScoreAdj: not supported by Tugboat"),
        Arguments.of("process.colour", "1", "$.process.colour: unknown field"),
        Arguments.of("root", null, "$.root: required"),
        Arguments.of("root.path", "\"\"", "$.root.path: must not be empty"),
        Arguments.of("root.readonly", "1", "$.root.readonly: expected boolean"),
        Arguments.of("mounts.0.destination", "\"proc\"", "$.mounts[0].destination: must be an absolute path, got \"proc\""),
        Arguments.of("mounts.1", "{\"destination\": \"/x\"}", "$.mounts[1].type: required unless options contain bind or rbind"),
        Arguments.of("mounts.1", "{\"destination\": \"/x\", \"options\": [\"rbind\"]}", "$.mounts[1].source: required for a bind mount"),
        Arguments.of("mounts", "{}", "$.mounts: expected array of objects"),
        Arguments.of("linux.namespaces.0", "{\"type\": \"time\"}", "$.linux.namespaces[0].type: unknown namespace type \"time\""),
        Arguments.of("linux.namespaces.0", "{\"type\": \"user\"}", "$.linux.namespaces[0].type: not supported by Tugboat: user namespaces"),
        Arguments.of("linux.namespaces.0", "{\"type\": \"ipc\"}", "$.linux.namespaces[2].type: duplicate namespace \"ipc\""),
        Arguments.of("linux.namespaces.0", "{\"type\": \"pid\", \"path\": \"proc/1/ns/pid\"}", "$.linux.namespaces[0].path: must be an absolute path, got \"proc/1/ns/pid\""),
        Arguments.of("linux.namespaces.3", "{\"type\": \"cgroup\"}", "$.hostname: needs a new uts namespace in $.linux.namespaces"),
        Arguments.of("linux.maskedPaths", "[\"proc/kcore\"]", "$.linux.maskedPaths[0]: must be an absolute path, got \"proc/kcore\""),
        Arguments.of("linux.rootfsPropagation", "\"up\"", "$.linux.rootfsPropagation: expected one of [private, rprivate, rshared, rslave, shared, slave], got \"up\""),
        Arguments.of("linux.seccomp", "{}", "$.linux.seccomp: not supported by Tugboat"),
        Arguments.of("linux.sysctl", "{}", "$.linux.sysctl: not supported by Tugboat"),
        Arguments.of("hooks", "{}", "$.hooks: not supported by Tugboat"),
        Arguments.of("annotations", "{\"a\": 1}", "$.annotations.a: expected string"),
        Arguments.of("hostname", "7", "$.hostname: expected string"),
        Arguments.of("extra", "true", "$.extra: unknown field"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("badSpecs")
  void badFieldIsAnErrorNamingItsJsonPath(String path, String json, String message) {
    assertThatThrownBy(() -> SpecParser.parse(with(path, json)))
        .isInstanceOf(SpecException.class)
        .hasMessage("config.json: " + message);
  }

  @Test
  void textThatIsNotJsonIsAnError() {
    assertThatThrownBy(() -> SpecParser.parse("{\"ociVersion\": ")).isInstanceOf(SpecException.class)
        .hasMessageStartingWith("config.json: not valid JSON: ");
    assertThatThrownBy(() -> SpecParser.parse("[]")).hasMessage("config.json: $: expected object");
    assertThatThrownBy(() -> SpecParser.parse("")).hasMessage("config.json: empty");
  }

  @Test
  void aProcessJsonForExecIsOneProcessObjectWithItsOwnErrors() {
    Spec.Process p = SpecParser.parseProcess("""
        {"user": {"uid": 0, "gid": 0}, "args": ["sh"], "env": ["PATH=/bin"], "cwd": "/tmp"}""");
    assertThat(p.args()).containsExactly("sh");
    assertThat(p.cwd()).isEqualTo("/tmp");
    assertThatThrownBy(() -> SpecParser.parseProcess("{\"user\": {\"uid\": 0, \"gid\": 0}, \"args\": []}"))
        .hasMessage("process.json: $.args: must be a non-empty array");
  }

  @Test
  void missingConfigJsonNamesTheBundle(@TempDir Path bundle) {
    assertThatThrownBy(() -> SpecParser.read(bundle)).hasMessage("config.json: not found in bundle " + bundle);
  }
}
