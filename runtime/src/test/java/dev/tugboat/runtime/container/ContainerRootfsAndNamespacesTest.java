package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.nativebindings.WaitStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

@ExtendWith(NoLeaks.class)
class ContainerRootfsAndNamespacesTest {
  @TempDir Path tmp;
  private ContainerRuntime runtime;
  private Path out;

  @BeforeEach
  void setUp() {
    runtime = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
    out = tmp.resolve("out.log");
  }

  @AfterEach
  void tearDown() {
    for (ContainerState s : runtime.list()) runtime.delete(s.id(), true);
    runtime.close();
  }

  @Test
  void overlayRootfsWritesLandInTheUpperDirAndNeverInTheImageLayer() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), spec -> ((ObjectNode) spec.get("root")).put("readonly", false),
        "sh", "-c", "echo written > /newfile; cat /newfile");
    Path lower = bundle.resolve("rootfs");
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    Path merged = Files.createDirectories(tmp.resolve("merged"));
    Rootfs overlay = new Rootfs.Overlay(List.of(lower.toString()), upper.toString(), work.toString(), merged.toString());
    WaitStatus status = runtime.run(bundle, "rt-overlay",
        CreateOptions.defaults().withRootfs(overlay).withStdio(Stdio.files(out, out)));
    assertThat(status).isEqualTo(WaitStatus.exited(0));
    assertThat(Files.readString(out)).isEqualTo("written\n");
    assertThat(upper.resolve("newfile")).hasContent("written");
    assertThat(lower.resolve("newfile")).doesNotExist();
    assertThat(merged).isEmptyDirectory();
  }

  @Test
  void aContainerJoinsAnotherContainersNetworkAndPidNamespacesByPath() throws Exception {
    Path first = TestBundles.bundle(tmp.resolve("first"), "sleep", "100");
    ContainerState sandbox = runtime.create("rt-sandbox", first, CreateOptions.defaults());
    runtime.start("rt-sandbox");
    String sandboxNet = Files.readSymbolicLink(Path.of("/proc/" + sandbox.pid() + "/ns/net")).toString();
    Path second = TestBundles.bundle(tmp.resolve("second"), spec -> {
      for (var ns : spec.get("linux").get("namespaces")) {
        if (ns.get("type").stringValue().equals("network")) {
          ((ObjectNode) ns).put("path", "/proc/" + sandbox.pid() + "/ns/net");
        }
      }
      for (var ns : spec.get("linux").get("namespaces")) {
        if (ns.get("type").stringValue().equals("pid")) ((ObjectNode) ns).put("path", "/proc/" + sandbox.pid() + "/ns/pid");
      }
    }, "sh", "-c", "readlink /proc/self/ns/net; readlink /proc/self/ns/uts; echo $$; cat /proc/1/cmdline");
    assertThat(runtime.run(second, "rt-member", CreateOptions.defaults().withStdio(Stdio.files(out, out))))
        .isEqualTo(WaitStatus.exited(0));
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).isEqualTo(sandboxNet);
    assertThat(lines.get(1)).isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/" + sandbox.pid() + "/ns/uts")).toString());
    assertThat(lines.get(2)).isNotEqualTo("1"); // the sandbox's sleep is PID 1 of the shared PID namespace
    assertThat(lines.get(3)).isEqualTo("sleep\u0000100\u0000");
    runtime.delete("rt-sandbox", true);
  }

  @Test
  void aNewCgroupNamespaceIsRootedAtTheContainersCgroup() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"),
        spec -> ((tools.jackson.databind.node.ArrayNode) spec.get("linux").get("namespaces")).addObject().put("type", "cgroup"),
        "sh", "-c", "grep -E ':(pids|memory):' /proc/self/cgroup");
    assertThat(runtime.run(bundle, "rt-cgns", CreateOptions.defaults().withStdio(Stdio.files(out, out))))
        .isEqualTo(WaitStatus.exited(0));
    assertThat(Files.readAllLines(out)).hasSize(2).allMatch(l -> l.endsWith(":/"));
  }

  @Test
  void execJoinsTheContainersCgroup() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"), "sleep", "100");
    runtime.create("rt-execcg", bundle, CreateOptions.defaults());
    runtime.start("rt-execcg");
    ExecProcess exec = runtime.exec("rt-execcg", List.of("cat", "/proc/self/cgroup"), Stdio.files(out, out));
    assertThat(exec.await()).isEqualTo(WaitStatus.exited(0));
    assertThat(Files.readString(out)).contains(":pids:/tugboat/rt-execcg\n", ":memory:/tugboat/rt-execcg\n");
    assertThat(runtime.processes("rt-execcg")).hasSize(1);
    runtime.delete("rt-execcg", true);
  }
}
