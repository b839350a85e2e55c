package dev.tugboat.control.store.etcd;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Runs the real etcdctl (Debian's etcd-client, API v3) against one endpoint, each run bounded in time. */
final class Etcdctl {

  record Result(int exitCode, String stdout, String stderr) {
    String out() {
      return stdout.strip();
    }
  }

  private final String endpoint;

  Etcdctl(String endpoint) {
    this.endpoint = endpoint;
  }

  private ProcessBuilder builder(List<String> args) {
    List<String> command = new ArrayList<>(List.of("etcdctl", "--endpoints=" + endpoint, "--command-timeout=30s"));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("ETCDCTL_API", "3");
    return pb;
  }

  Result run(String... args) {
    return runWithInput(null, args);
  }

  Result runWithInput(byte[] stdin, String... args) {
    return runWithInput(stdin, 120, args);
  }

  Result runWithInput(byte[] stdin, int timeoutSeconds, String... args) {
    try {
      Process p = builder(List.of(args)).start();
      try {
        Thread writer = new Thread(() -> {
          try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
              in.write(stdin);
            }
          } catch (IOException e) {
            // etcdctl stopped reading: its exit code tells.
          }
        });
        writer.start();
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> out.complete(readAll(p.getInputStream()))).start();
        new Thread(() -> err.complete(readAll(p.getErrorStream()))).start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
          throw new AssertionError("etcdctl " + String.join(" ", args) + " did not end in " + timeoutSeconds + "s");
        }
        writer.join();
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
      } finally {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (Exception e) {
      throw new AssertionError("etcdctl " + String.join(" ", args) + ": " + e, e);
    }
  }

  private static String readAll(java.io.InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** A long-running etcdctl (watch, keep-alive) whose output lines can be awaited; closing kills it. */
  final class Running implements AutoCloseable {
    private final Process process;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Running(String... args) throws IOException {
      process = builder(List.of(args)).redirectErrorStream(true).start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          // The process was killed.
        }
      });
      reader.setDaemon(true);
      reader.start();
    }

    /** The next {@code n} output lines, waiting up to a minute for each. */
    List<String> next(int n) throws InterruptedException {
      List<String> got = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String line = lines.poll(60, TimeUnit.SECONDS);
        if (line == null) {
          throw new AssertionError("etcdctl printed only " + got);
        }
        got.add(line);
      }
      return got;
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
