package dev.tugboat.nativebindings;

import java.util.Locale;

/** Linux x86-64/arm64 signal numbers and names (SIGTERM, or TERM as runc's kill accepts). */
public final class Signals {
  private static final String[] NAMES = {
    null, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
    "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
    "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
    "SIGSYS"
  };

  private Signals() {}

  public static String name(int signal) {
    return signal > 0 && signal < NAMES.length ? NAMES[signal] : "signal " + signal;
  }

  /** Parses "SIGTERM", "TERM", "term" or "15"; throws IllegalArgumentException naming the input otherwise. */
  public static int parse(String text) {
    String s = text.trim().toUpperCase(Locale.ROOT);
    if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) {
      int n = Integer.parseInt(s);
      if (n > 0 && n <= 64) return n;
    }
    String name = s.startsWith("SIG") ? s : "SIG" + s;
    for (int i = 1; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) return i;
    }
    throw new IllegalArgumentException("unknown signal \"" + text + "\"");
  }
}
