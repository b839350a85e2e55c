package dev.tugboat.runtime.container;

/** runc's rule: a process with a terminal needs a console socket to send its pty master to, and only such a process. */
final class ConsoleSocketCheck {
  private ConsoleSocketCheck() {}

  static void check(String what, boolean terminal, int consoleSocket) {
    if (terminal && consoleSocket < 0) {
      throw new ContainerException(what + ": process.terminal is true: cannot allocate tty without a console socket "
          + "(--console-socket)");
    }
    if (!terminal && consoleSocket >= 0) {
      throw new ContainerException(what + ": cannot use console socket if runc will not detach or allocate tty "
          + "(process.terminal is false)");
    }
  }
}
