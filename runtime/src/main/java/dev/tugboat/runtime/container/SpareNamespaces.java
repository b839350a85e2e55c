package dev.tugboat.runtime.container;

import dev.tugboat.nativebindings.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fresh network, IPC and UTS namespaces made ahead of need on the {@link Teardown} thread, for containers that ask for
 * new ones: joining one (setns) is cheap, while unshare of a network namespace alone took about 0.3 ms of the 0.57 ms
 * unshare step here. A spare is exactly what unshare would make (a namespace of this JVM's user namespace with
 * nothing in it but a loopback device that is down, an empty IPC namespace, this host's hostname), and is used once.
 *
 * <p>Mount and PID namespaces are never spares: a mount namespace copies the mount table as it is when made, and a
 * new PID namespace must be the spawning thread's own.
 */
final class SpareNamespaces implements AutoCloseable {
  /** The namespace types kept, in the order of {@link #fds}' queues. */
  private static final int[] TYPES = {Linux.CLONE_NEWNET, Linux.CLONE_NEWIPC, Linux.CLONE_NEWUTS};
  private static final String[] NAMES = {"net", "ipc", "uts"};
  private static final int ALL = Linux.CLONE_NEWNET | Linux.CLONE_NEWIPC | Linux.CLONE_NEWUTS;

  private final int keep;
  private final List<ConcurrentLinkedQueue<Integer>> fds = new ArrayList<>();
  /** Sets made or being made and not yet taken. */
  private final AtomicInteger filling = new AtomicInteger();
  private final AtomicInteger takes = new AtomicInteger();
  private volatile boolean closed;

  /** @param keep how many spare sets to hold; 0 turns spares off */
  SpareNamespaces(int keep) {
    this.keep = keep;
    for (int i = 0; i < TYPES.length; i++) fds.add(new ConcurrentLinkedQueue<>());
  }

  /** What a container gets: spares to join, and the CLONE_NEW* flags still to unshare. */
  record Taken(List<Spawner.Join> joins, int unshareFlags) {
    /** The fds of the joined spares: the caller closes them once the child has its namespaces. */
    List<Integer> fds() {
      return joins.stream().map(Spawner.Join::fd).toList();
    }
  }

  /**
   * Spares for as many of the new namespaces in {@code unshareFlags} as there are. From the second call on, more are
   * made after the next {@link Teardown#wake} (a process that starts one container, a CLI run, makes none).
   */
  Taken take(int unshareFlags) {
    if (keep == 0 || (unshareFlags & ALL) == 0) return new Taken(List.of(), unshareFlags);
    if (takes.incrementAndGet() == 1) return new Taken(List.of(), unshareFlags);
    List<Spawner.Join> joins = new ArrayList<>(3);
    int remaining = unshareFlags;
    for (int i = 0; i < TYPES.length; i++) {
      if ((unshareFlags & TYPES[i]) == 0) continue;
      Integer fd = fds.get(i).poll();
      if (fd == null) continue;
      joins.add(new Spawner.Join(TYPES[i], fd, "spare " + NAMES[i] + " namespace"));
      remaining &= ~TYPES[i];
    }
    refill();
    return new Taken(joins, remaining);
  }

  /** Tops the spares up to {@link #keep} after the next {@link Teardown#wake}. */
  private void refill() {
    while (true) {
      int n = filling.get();
      int held = Integer.MAX_VALUE;
      for (ConcurrentLinkedQueue<Integer> q : fds) held = Math.min(held, q.size());
      if (closed || held + n >= keep) return;
      if (filling.compareAndSet(n, n + 1)) Teardown.soon(this::makeOne);
    }
  }

  /** On the teardown thread: one new set, then back to the JVM's own namespaces. */
  private void makeOne() {
    try {
      if (closed) return;
      int[] made = new int[TYPES.length];
      java.util.Arrays.fill(made, -1);
      // A thread started while this one is in the new namespaces (jnr-ffi starts one lazily) would stay in them.
      Spawner.warmUp();
      try {
        Linux.unshare(ALL);
        for (int i = 0; i < TYPES.length; i++) {
          made[i] = Linux.open("/proc/thread-self/ns/" + NAMES[i], Linux.O_RDONLY | Linux.O_CLOEXEC, 0);
        }
      } catch (RuntimeException e) {
        for (int fd : made) Linux.closeQuietly(fd);
        made = null;
      } finally {
        Spawner.returnToOwnNamespaces(ALL);
      }
      if (made == null) return;
      for (int i = 0; i < TYPES.length; i++) {
        // A type that containers take less often (no network namespace asked for, say) is not let pile up.
        if (fds.get(i).size() < keep) fds.get(i).add(made[i]);
        else Linux.closeQuietly(made[i]);
      }
      if (closed) drain();
    } finally {
      filling.decrementAndGet();
    }
  }

  private void drain() {
    for (ConcurrentLinkedQueue<Integer> q : fds) {
      for (Integer fd; (fd = q.poll()) != null; ) Linux.closeQuietly(fd);
    }
  }

  /** Closes the spares; one still being made is closed when done. */
  @Override
  public void close() {
    closed = true;
    drain();
  }
}
