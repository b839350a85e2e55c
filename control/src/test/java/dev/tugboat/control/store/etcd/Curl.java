package dev.tugboat.control.store.etcd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real curl (Debian's), one HTTP/1.1 request with the status line and headers kept, each run bounded in time. */
public final class Curl {

  /** An answer: the status code, the raw header block, the body. */
  public record Response(int status, String headers, String body) {}

  private Curl() {}

  public static Response get(String url, String... extraArgs) {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--http1.1", "--max-time", "20", "-i"));
    command.addAll(List.of(extraArgs));
    command.add(url);
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try {
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new AssertionError("curl " + url + " failed: " + new String(out, StandardCharsets.UTF_8));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        String head = text.substring(0, end);
        int status = Integer.parseInt(head.split(" ", 3)[1]);
        return new Response(status, head, text.substring(end + 4));
      } finally {
        p.destroyForcibly();
      }
    } catch (java.io.IOException | InterruptedException e) {
      throw new AssertionError("curl " + url + ": " + e, e);
    }
  }
}
