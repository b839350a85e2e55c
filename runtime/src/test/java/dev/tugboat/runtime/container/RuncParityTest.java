package dev.tugboat.runtime.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

/** The same bundle under runc and under Tugboat: what the process sees inside must be the same. */
@ExtendWith(NoLeaks.class)
class RuncParityTest {
  /** What a process can observe of its container, printed deterministically (no times, no pids but its own). */
  private static final String PROBE = String.join("; ",
      "exec 2>&1", "echo pid=$$", "id", "hostname", "pwd",
      "cut -d' ' -f5,6 /proc/self/mountinfo | grep -v '^/sys/fs/cgroup/' | sort",
      "grep -E '^(Cap|NoNewPrivs)' /proc/self/status", "ulimit -a",
      "ls -la /dev | awk '{print $1, $NF}'", "ls /proc | grep -vE '^[0-9]+$'", "env | sort",
      "touch /x 2>&1; echo touch=$?", "echo x > /proc/sys/kernel/hostname 2>&1; echo sys=$?",
      "cat /proc/keys | wc -c", "ls /sys/firmware | wc -l");

  @TempDir Path tmp;
  private ContainerRuntime runtime;

  @AfterEach
  void tearDown() {
    if (runtime != null) runtime.close();
  }

  @Test
  void theRuncSpecBundleLooksTheSameFromInsideUnderRuncAndTugboat() throws Exception {
    Path bundle = TestBundles.bundle(tmp.resolve("b"),
        spec -> ((ObjectNode) spec.get("linux")).put("cgroupsPath", "/tugboat/rt-parity"), "sh", "-c", PROBE);
    Process runc = new ProcessBuilder("runc", "--root", tmp.resolve("runc").toString(), "run", "-b", bundle.toString(),
        "rt-parity").redirectErrorStream(true).start();
    String byRunc = new String(runc.getInputStream().readAllBytes());
    assertThat(runc.waitFor()).as(byRunc).isZero();

    runtime = new ContainerRuntime(tmp.resolve("state"), KernelCgroups.detect());
    Path out = tmp.resolve("out");
    assertThat(runtime.run(bundle, "rt-parity", CreateOptions.defaults().withStdio(Stdio.files(out, out))).exitCode())
        .isZero();
    assertThat(Files.readString(out)).isEqualTo(byRunc).contains("pid=1", "touch=1", "sys=1", "HOME=/");
  }
}
