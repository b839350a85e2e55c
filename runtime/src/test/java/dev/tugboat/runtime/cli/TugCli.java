package dev.tugboat.runtime.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** `tug runtime` as a tool that drives runc runs it: a separate JVM per command over one --root. */
final class TugCli {
  record Result(int exitCode, String stdout, String stderr) {}

  private final Path tmp;

  TugCli(Path tmp) {
    this.tmp = tmp;
  }

  Result run(String... args) throws Exception {
    return runWithInput(Path.of("/dev/null"), args);
  }

  private final CliLeftovers leftovers = new CliLeftovers();

  Process start(Path stdin, Path stdout, Path stderr, String... args) throws Exception {
    leftovers.note(args);
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "--enable-native-access=ALL-UNNAMED"));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), RuntimeMain.class.getName(), "runtime",
        "--root", tmp.resolve("root").toString()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile())
        .redirectInput(stdin.toFile()).start();
  }

  Result runWithInput(Path stdin, String... args) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Path err = Files.createTempFile(tmp, "err", ".txt");
    int code = start(stdin, out, err, args).waitFor();
    return new Result(code, Files.readString(out), Files.readString(err));
  }

  /** Deletes every container left under the root (after a failed test), then asserts nothing of any is left. */
  void deleteAll() throws Exception {
    for (String id : run("list", "-q").stdout().split("\n")) {
      if (!id.isBlank()) run("delete", "--force", id);
    }
    leftovers.assertNoneLeft(tmp.resolve("root"));
  }
}
