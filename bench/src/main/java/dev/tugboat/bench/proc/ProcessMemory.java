package dev.tugboat.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory of a live process from /proc: resident set size, the figure users see in top and compare. */
public final class ProcessMemory {
  private ProcessMemory() {}

  public static double rssMegabytes(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
        return kib / 1024.0;
      }
    }
    throw new IOException("/proc/" + pid + "/status: no VmRSS line (process gone?)");
  }
}
