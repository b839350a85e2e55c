package dev.tugboat.runtime.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The two fields of /proc/PID/stat a runtime needs: the process state letter and its start time in clock ticks. */
record ProcStat(char state, long startTime) {
  static Optional<ProcStat> read(int pid) {
    String text;
    try {
      text = Files.readString(Path.of("/proc/" + pid + "/stat"));
    } catch (IOException e) {
      return Optional.empty();
    }
    // The command name may hold spaces and parentheses: fields are counted after its last ')'.
    String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
    return Optional.of(new ProcStat(f[0].charAt(0), Long.parseLong(f[19])));
  }

  /** Whether {@code pid} is still the process that had {@code startTime}, and not yet a zombie. */
  static boolean alive(int pid, long startTime) {
    return read(pid).map(s -> s.startTime == startTime && s.state != 'Z' && s.state != 'X').orElse(false);
  }
}
