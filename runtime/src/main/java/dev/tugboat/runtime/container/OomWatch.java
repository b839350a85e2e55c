package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.EventFd;
import dev.tugboat.nativebindings.Inotify;
import dev.tugboat.nativebindings.Linux;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The kernel's OOM kills in a container's cgroup, told as they happen rather than found by polling: cgroup v1 signals
 * an eventfd registered for memory.oom_control through cgroup.event_control (as runc does) each time the cgroup runs
 * out of memory, and once when it is removed; v2 modifies memory.events, watched with inotify, and its oom_kill
 * counter says how many kills there were.
 */
public final class OomWatch implements AutoCloseable {
  private final int fd;
  private final AutoCloseable owner;
  /** v1: its eventfd, whose counter is the number of OOM notices; null for v2. */
  private final EventFd notices;
  private final Runnable drain;
  private final Path counterFile;
  private long kills;

  private OomWatch(int fd, AutoCloseable owner, EventFd notices, Runnable drain, Path counterFile) {
    this.fd = fd;
    this.owner = owner;
    this.notices = notices;
    this.drain = drain;
    this.counterFile = counterFile;
    this.kills = Math.max(0, readKills());
  }

  static OomWatch open(String what, ContainerCgroup cgroup) {
    for (Path dir : cgroup.directories()) {
      Path control = dir.resolve("memory.oom_control");
      if (Files.exists(control)) return v1(dir, control);
      Path events = dir.resolve("memory.events");
      if (Files.exists(events)) {
        Inotify inotify = new Inotify();
        try {
          inotify.watchModify(events.toString());
        } catch (RuntimeException e) {
          inotify.close();
          throw new ContainerException(what + ": watch " + events + " for OOM kills: " + e.getMessage(), e);
        }
        return new OomWatch(inotify.fd(), inotify, null, inotify::drain, events);
      }
    }
    throw new ContainerException(what + ": its cgroup has no memory controller to report OOM kills");
  }

  /** v1: "<eventfd> <fd of memory.oom_control>" written to cgroup.event_control arms the eventfd. */
  private static OomWatch v1(Path dir, Path control) {
    EventFd eventFd = new EventFd();
    int controlFd = -1;
    int register = -1;
    try {
      controlFd = Linux.open(control.toString(), Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
      register = Linux.open(dir.resolve("cgroup.event_control").toString(), Linux.O_WRONLY | Linux.O_CLOEXEC, 0);
      Linux.write(register, (eventFd.fd() + " " + controlFd).getBytes(StandardCharsets.US_ASCII));
    } catch (RuntimeException e) {
      eventFd.close();
      throw new ContainerException("cgroup " + dir + ": register for OOM notices: " + e.getMessage(), e);
    } finally {
      // The kernel keeps what it needs (the eventfd); these were only the means of registering.
      Linux.closeQuietly(register);
      Linux.closeQuietly(controlFd);
    }
    return new OomWatch(eventFd.fd(), eventFd, eventFd, eventFd::drain, control);
  }

  /**
   * Waits until the cgroup runs out of memory, or {@code timeout}; returns how many times it did since the last call
   * (v1: the kernel's OOM notices; v2: its OOM kills), 0 at the timeout and once the cgroup is gone.
   */
  public long await(Duration timeout) {
    boolean woken = !Linux.pollReadable(new int[] {fd}, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
        .isEmpty();
    if (notices != null) {
      // The oom_kill counter may lag the notice, which comes as the cgroup runs out of memory.
      long n = woken ? notices.take() : 0;
      return Files.exists(counterFile) ? n : 0;
    }
    if (woken) drain.run();
    long now = readKills();
    if (now < 0) return 0;
    long fresh = Math.max(0, now - kills);
    kills = now;
    return fresh;
  }

  /** Whether the cgroup is gone (the container deleted): no more OOMs to tell. */
  public boolean gone() {
    return !Files.exists(counterFile);
  }

  /** The oom_kill counter, or -1 once the cgroup is gone. */
  private long readKills() {
    try {
      for (String line : Files.readAllLines(counterFile)) {
        if (line.startsWith("oom_kill ")) return Long.parseLong(line.substring("oom_kill ".length()).trim());
      }
      return 0;
    } catch (IOException | NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    try {
      owner.close();
    } catch (Exception e) {
      // closing an fd reports nothing worth acting on
    }
  }
}
