package dev.tugboat.bench.store;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * A store cluster of real processes on loopback, each member with its own data dir, started with etcd's flags. The
 * same class starts etcd and Tugboat's store: only the command differs, which is the point of speaking etcd's flags.
 */
public final class StoreMembers implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<Integer> clientPorts = new ArrayList<>();

  private StoreMembers() {}

  /** Starts {@code count} members of {@code command} (e.g. {@code [etcd]} or {@code [bin/tug, store]}) under {@code baseDir}. */
  public static StoreMembers start(List<String> command, int count, Path baseDir, Duration readyWithin)
      throws IOException, InterruptedException {
    StoreMembers members = new StoreMembers();
    try {
      int[] peerPorts = new int[count];
      Set<Integer> taken = new HashSet<>();
      for (int i = 0; i < count; i++) {
        members.clientPorts.add(freePort(taken));
        peerPorts[i] = freePort(taken);
      }
      StringJoiner initialCluster = new StringJoiner(",");
      for (int i = 0; i < count; i++) {
        initialCluster.add("m" + i + "=http://127.0.0.1:" + peerPorts[i]);
      }
      for (int i = 0; i < count; i++) {
        Path dataDir = baseDir.resolve("m" + i);
        Files.createDirectories(dataDir.getParent());
        String client = "http://127.0.0.1:" + members.clientPorts.get(i);
        String peer = "http://127.0.0.1:" + peerPorts[i];
        List<String> argv = new ArrayList<>(command);
        argv.addAll(List.of("--name", "m" + i, "--data-dir", dataDir.toString(),
            "--listen-client-urls", client, "--advertise-client-urls", client,
            "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
            "--initial-cluster", initialCluster.toString(), "--initial-cluster-state", "new",
            "--initial-cluster-token", "bench"));
        Path log = baseDir.resolve("m" + i + ".log");
        members.processes.add(new ProcessBuilder(argv).redirectErrorStream(true)
            .redirectOutput(log.toFile()).start());
      }
      members.awaitClientPorts(readyWithin);
      return members;
    } catch (IOException | InterruptedException | RuntimeException e) {
      members.close();
      throw e;
    }
  }

  private void awaitClientPorts(Duration within) throws InterruptedException, IOException {
    long deadline = System.nanoTime() + within.toNanos();
    for (int i = 0; i < clientPorts.size(); i++) {
      while (!accepts(clientPorts.get(i))) {
        if (!processes.get(i).isAlive()) {
          throw new IOException("store member m" + i + " exited with status " + processes.get(i).exitValue());
        }
        if (System.nanoTime() > deadline) {
          throw new IOException("store member m" + i + " did not listen on 127.0.0.1:" + clientPorts.get(i) + " within " + within);
        }
        Thread.sleep(50);
      }
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port free now and not in {@code taken}: the kernel may give a port it just saw closed to the next caller. */
  private static int freePort(Set<Integer> taken) throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (taken.add(s.getLocalPort())) {
          return s.getLocalPort();
        }
      }
    }
  }

  /** Client endpoints as etcdctl and jetcd take them. */
  public List<String> endpoints() {
    return clientPorts.stream().map(p -> "http://127.0.0.1:" + p).toList();
  }

  public List<Long> pids() {
    return processes.stream().map(Process::pid).toList();
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }
}
