package dev.tugboat.nativebindings;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tug-init outside any namespace: its argument protocol, error pipe and start sync. */
class TugInitTest {
  @TempDir Path dir;

  record Run(int pid, int pidfd, int errorRead) {}

  private Run spawn(Map<Integer, Integer> extraFds, String... args) {
    Path tugInit = TugInit.extractTo(dir.resolve("bin"));
    int[] error = Linux.pipe();
    int out = Linux.open(dir.resolve("out").toString(), Linux.O_WRONLY | Linux.O_CREAT | Linux.O_CLOEXEC, 0644);
    Map<Integer, Integer> fds = new java.util.LinkedHashMap<>(Map.of(1, out, 2, out, 3, error[1]));
    fds.putAll(extraFds);
    List<String> argv = new java.util.ArrayList<>(List.of("tug-init"));
    argv.addAll(List.of(args));
    int pid = new PosixSpawn(tugInit.toString(), argv, List.of("PATH=/usr/bin:/bin"), fds, true).spawn();
    Linux.close(error[1]);
    Linux.close(out);
    return new Run(pid, Linux.pidfdOpen(pid), error[0]);
  }

  private WaitStatus await(Run run) {
    WaitStatus status = Linux.waitPidfd(run.pidfd, true, false).orElseThrow();
    Linux.close(run.pidfd);
    Linux.close(run.errorRead);
    return status;
  }

  @Test
  void extractsToAContentAddressedPathOnce() {
    Path first = TugInit.extractTo(dir.resolve("bin"));
    assertThat(first.getFileName().toString()).matches("tug-init-[0-9a-f]{64}");
    assertThat(Files.isExecutable(first)).isTrue();
    assertThat(TugInit.extractTo(dir.resolve("bin"))).isEqualTo(first);
  }

  @Test
  void runsTheProgramAfterClosingTheErrorPipeWithoutAMessage() throws Exception {
    Run run = spawn(Map.of(), "--", "sh", "sh", "-c", "echo hi; exit 3");
    assertThat(Linux.readAll(run.errorRead)).isEmpty();
    assertThat(await(run)).isEqualTo(WaitStatus.exited(3));
    assertThat(Files.readString(dir.resolve("out"))).isEqualTo("hi\n");
  }

  @Test
  void missingProgramIsReportedOnTheErrorPipeWithItsErrno() {
    Run run = spawn(Map.of(), "--", "no-such-program", "x");
    assertThat(new String(Linux.readAll(run.errorRead)))
        .isEqualTo("exec(\"no-such-program\"): not found in PATH \"/usr/bin:/bin\": ENOENT\n");
    assertThat(await(run)).isEqualTo(WaitStatus.exited(127));
  }

  @Test
  void waitsForAByteOnTheStartFdAndExitsQuietlyOnEof() {
    int[] start = Linux.pipe();
    Run run = spawn(Map.of(5, start[0]), "-s", "5", "--", "true", "true");
    Linux.close(start[0]);
    assertThat(Linux.readAll(run.errorRead)).isEmpty();
    assertThat(Linux.waitPidfd(run.pidfd, false, true)).isEmpty();
    Linux.close(start[1]);
    assertThat(await(run)).isEqualTo(WaitStatus.exited(0));
  }

  @Test
  void initModeRecordsTheWaitStatusOfItsProcessInTheStateDirectory() throws Exception {
    int[] start = Linux.pipe();
    Run run = spawn(Map.of(4, start[0]), "-S", dir.toString(), "-i", "-x", "exit", "-s", "4",
        "--", "sh", "sh", "-c", "kill -TERM $$");
    Linux.close(start[0]);
    Linux.write(start[1], new byte[] {1});
    Linux.close(start[1]);
    assertThat(await(run)).isEqualTo(WaitStatus.exited(128 + 15));
    assertThat(WaitStatus.fromRaw(Integer.parseInt(Files.readString(dir.resolve("exit")).trim())))
        .isEqualTo(WaitStatus.signaled(15));
  }

  @Test
  void badOptionIsAUsageError() {
    Run run = spawn(Map.of(), "-Z", "--", "true", "true");
    assertThat(new String(Linux.readAll(run.errorRead))).isEqualTo("usage: -Z: EINVAL\n");
    assertThat(await(run)).isEqualTo(WaitStatus.exited(127));
  }
}
