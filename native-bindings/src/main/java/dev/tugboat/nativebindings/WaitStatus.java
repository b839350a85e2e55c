package dev.tugboat.nativebindings;

/**
 * How a process ended: its exit code, or the signal that killed it. {@link #raw()} is the wait(2) status word, the
 * form tug-init records in a container's exit file.
 */
public record WaitStatus(int exitCode, int signal) {
  public static WaitStatus exited(int code) {
    return new WaitStatus(code, 0);
  }

  public static WaitStatus signaled(int signal) {
    return new WaitStatus(0, signal);
  }

  public static WaitStatus fromRaw(int status) {
    int sig = status & 0x7f;
    return sig == 0 ? exited((status >> 8) & 0xff) : signaled(sig);
  }

  public boolean signaled() {
    return signal != 0;
  }

  public int raw() {
    return signaled() ? signal : (exitCode & 0xff) << 8;
  }

  /** The shell's convention, which runc's `run` and `exec` also follow: the exit code, or 128 + the signal. */
  public int shellStatus() {
    return signaled() ? 128 + signal : exitCode;
  }

  @Override
  public String toString() {
    return signaled() ? "killed by " + Signals.name(signal) : "exited with " + exitCode;
  }
}
