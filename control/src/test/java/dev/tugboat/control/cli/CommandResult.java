package dev.tugboat.control.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** What a command-line tool the tests drive (kubectl, bin/tug) printed and how it exited. */
record CommandResult(int exitCode, String stdout, String stderr) {

  static CommandResult run(List<String> command) throws IOException, InterruptedException {
    return run(command, null);
  }

  static CommandResult run(List<String> command, String input) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).start();
    if (input != null) process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().close();
    // read both streams at once: a tool that fills the one not being read would block forever
    var err = CompletableFuture.supplyAsync(() -> {
      try {
        return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return e.toString();
      }
    });
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(180, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
    return new CommandResult(process.exitValue(), out, err.join());
  }
}
