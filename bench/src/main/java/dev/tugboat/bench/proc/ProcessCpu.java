package dev.tugboat.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a live process has used so far (user and system, all its threads), from /proc/PID/stat. On a shared,
 * loaded machine throughput follows whatever CPU the other tenants leave; CPU per unit of work moves much less.
 */
public final class ProcessCpu {
  /** The kernel's USER_HZ, the unit of /proc's clock-tick fields: 100 on every Linux architecture the JDK runs on. */
  private static final double TICKS_PER_SECOND = 100;
  /** utime and stime: the 14th and 15th fields of /proc/PID/stat, the 12th and 13th after the command's ")". */
  private static final int UTIME_AFTER_COMMAND = 11;

  private ProcessCpu() {}

  public static double cpuSeconds(long pid) throws IOException {
    return parseCpuSeconds(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /** {@code stat} is one /proc/PID/stat line; the command name in parentheses may itself hold spaces or ")". */
  static double parseCpuSeconds(String stat) {
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    long ticks = Long.parseLong(fields[UTIME_AFTER_COMMAND]) + Long.parseLong(fields[UTIME_AFTER_COMMAND + 1]);
    return ticks / TICKS_PER_SECOND;
  }
}
