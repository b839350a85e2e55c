package dev.tugboat.bench.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time a live process has used, user and system together, from /proc: what a run of work cost that process
 * whatever else shares the machine. On 2 shared cores a latency moves with the neighbours' load; CPU per request
 * moves only with the code, so it shows a change that two noisy latency runs cannot.
 */
public final class ProcessCpu {
  /** /proc counts in USER_HZ clock ticks, 100 a second on every Linux ABI this runs on. */
  private static final double MILLIS_PER_TICK = 10.0;
  /** utime and stime are fields 14 and 15 of /proc/PID/stat; counted from the field after the command name. */
  private static final int UTIME_AFTER_COMMAND = 11;

  private ProcessCpu() {}

  public static double milliseconds(long pid) throws IOException {
    return millisecondsOfStat(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
  }

  /**
   * {@code stat} is the text of /proc/PID/stat. The command name in parentheses may itself hold spaces and
   * parentheses, so the fields are counted from the last ')'.
   */
  static double millisecondsOfStat(String stat) throws IOException {
    int end = stat.lastIndexOf(')');
    String[] fields = stat.substring(end + 1).trim().split(" +");
    if (end < 0 || fields.length <= UTIME_AFTER_COMMAND + 1) {
      throw new IOException("not a /proc/PID/stat line: " + stat);
    }
    long ticks = Long.parseLong(fields[UTIME_AFTER_COMMAND]) + Long.parseLong(fields[UTIME_AFTER_COMMAND + 1]);
    return ticks * MILLIS_PER_TICK;
  }
}
