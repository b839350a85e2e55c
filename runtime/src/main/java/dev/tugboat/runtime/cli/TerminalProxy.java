package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.ConsoleSocket;
import dev.tugboat.nativebindings.Linux;
import dev.tugboat.nativebindings.NativeCallException;
import dev.tugboat.nativebindings.Terminal;

/**
 * What runc does for a foreground process with a terminal and no --console-socket: it keeps the pty master itself
 * and copies its own stdin into it and the pty's output to its own stdout, with its own terminal (if stdin is one)
 * in raw mode meanwhile, so the container's line discipline is the only one.
 */
final class TerminalProxy implements AutoCloseable {
  private final int[] pair = ConsoleSocket.pair();
  private volatile int master = -1;
  private volatile byte[] savedMode;
  private Thread output;

  /** The end to hand to the runtime as the console socket. */
  int consoleSocket() {
    return pair[1];
  }

  /** Takes the pty master the runtime sent (call after create) and starts copying. */
  void attach() {
    Linux.closeQuietly(pair[1]);
    pair[1] = -1;
    master = ConsoleSocket.receive(pair[0]).master();
    if (Terminal.isTerminal(0)) savedMode = Terminal.makeRaw(0);
    resize();
    Thread input = new Thread(() -> copy(0, master), "tty-stdin");
    input.setDaemon(true);
    input.start();
    output = new Thread(() -> copy(master, 1), "tty-stdout");
    output.start();
  }

  /** Gives the container's pty the size of this process's terminal (at attach, and on each SIGWINCH), as runc does. */
  void resize() {
    if (master < 0 || savedMode == null) return;
    try {
      Terminal.setWindowSize(master, Terminal.windowSize(0));
    } catch (NativeCallException gone) {
      // the pty or our terminal closed meanwhile: nothing to resize
    }
  }

  /** Waits until the pty's output is drained (the master reads EIO once no process holds the slave). */
  void awaitOutput() throws InterruptedException {
    if (output != null) output.join();
  }

  private static void copy(int from, int to) {
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = Linux.read(from, buffer)) > 0) {
        Linux.write(to, n == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, n));
      }
    } catch (NativeCallException ended) {
      // EIO on the master: every process with the slave open has gone
    }
  }

  @Override
  public void close() {
    if (savedMode != null) Terminal.restore(0, savedMode);
    Linux.closeQuietly(pair[0]);
    Linux.closeQuietly(pair[1]);
  }
}
