package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.Signals;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Like runc in the foreground, signals sent to `tug runtime run` or `exec` go on to the container's process instead of
 * ending this JVM (which would leave the container without anyone waiting for it). SIGWINCH is not passed on, as runc
 * does not: it means this process's terminal changed size, and the container's pty is resized to match (the kernel
 * then signals the container's foreground processes itself).
 */
final class SignalForwarding {
  private static final String[] FORWARDED = {"TERM", "INT", "HUP", "USR1", "USR2", "QUIT"};

  private SignalForwarding() {}

  static void install(IntConsumer forward, Runnable windowChanged) {
    for (String name : FORWARDED) {
      try {
        Signal.handle(new Signal(name), s -> forward.accept(Signals.parse(name)));
      } catch (IllegalArgumentException reservedByTheJvm) {
        // left to the JVM
      }
    }
    Signal.handle(new Signal("WINCH"), s -> windowChanged.run());
  }
}
