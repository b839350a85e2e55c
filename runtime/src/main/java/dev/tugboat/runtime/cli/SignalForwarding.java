package dev.tugboat.runtime.cli;

import dev.tugboat.nativebindings.Signals;
import java.util.function.IntConsumer;
import sun.misc.Signal;

/**
 * Like runc in the foreground, signals sent to `tug runtime run` or `exec` go on to the container's process instead of
 * ending this JVM (which would leave the container without anyone waiting for it).
 */
final class SignalForwarding {
  private static final String[] FORWARDED = {"TERM", "INT", "HUP", "USR1", "WINCH"};

  private SignalForwarding() {}

  static void install(IntConsumer forward) {
    for (String name : FORWARDED) {
      try {
        Signal.handle(new Signal(name), s -> forward.accept(Signals.parse(name)));
      } catch (IllegalArgumentException reservedByTheJvm) {
        // left to the JVM
      }
    }
  }
}
