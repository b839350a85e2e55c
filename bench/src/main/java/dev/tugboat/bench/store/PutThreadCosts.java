package dev.tugboat.bench.store;

import dev.tugboat.bench.BenchMain;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a sequential put's time goes, thread by thread: one jetcd client puts 256-byte values one after another into
 * a fresh cluster of a subject (etcd or Tugboat's store) and, over a measured stretch after a warm-up, reads each
 * thread's /proc schedstat (time on a CPU, time runnable but waiting for one, times scheduled in) and stat (user and
 * system CPU) before and after. Printed per put, summed over the threads of one name in one process: "m0:raft-" is
 * member 0's Raft thread, "client:vert.x-eventloop" the client's. Waiting for a CPU is what a loaded machine adds to
 * every thread wake-up on the put's path; the client is the same for both subjects.
 *
 * <p>Not part of {@code tug bench}: run it by hand, e.g. {@code java -cp 'bench/target/bench-*.jar:bench/target/lib/*'
 * dev.tugboat.bench.store.PutThreadCosts tugboat 3 8 [WARMUP_PUTS]}, inside the bench lock.
 */
public final class PutThreadCosts {
  /**
   * Puts before the measured stretch unless a fourth argument says otherwise. A member's JIT (C1 only at the time) was
   * still compiling the put path after 1000 puts (2026-11-29, JFR: two thirds of the gRPC thread's samples interpreted,
   * 600 compilations per member during an 8-20 s stretch), so a figure of the steady state needs several thousand; with
   * C2 (tug store's default since), 20,000.
   */
  private static final int DEFAULT_WARMUP_PUTS = 1000;

  private PutThreadCosts() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 3 && args.length != 4) {
      System.err.println("usage: PutThreadCosts tugboat|etcd MEMBERS SECONDS [WARMUP_PUTS]");
      System.exit(2);
    }
    String subject = args[0];
    int members = Integer.parseInt(args[1]);
    long seconds = Long.parseLong(args[2]);
    int warmupPuts = args.length == 4 ? Integer.parseInt(args[3]) : DEFAULT_WARMUP_PUTS;
    Path home = Path.of(System.getProperty("tug.home", "."));
    List<String> command = subject.equals("etcd") ? List.of("etcd") : List.of(home.resolve("bin/tug").toString(), "store");
    Path dir = Files.createTempDirectory("put-thread-costs-");
    try (StoreMembers cluster = StoreMembers.start(command, members, dir, Duration.ofSeconds(60));
         Client client = Client.builder().endpoints(cluster.endpoints().toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      ByteSequence value = ByteSequence.from(new byte[256]);
      for (int i = 0; i < warmupPuts; i++) {
        kv.put(key(i), value).get();
      }
      List<Long> pids = new ArrayList<>(cluster.pids());
      pids.add(ProcessHandle.current().pid());
      Map<String, long[]> before = threadFigures(pids);
      // a profiler started by hand on the members (perf record -p) waits for this line to cover only the stretch
      System.out.println("measuring members " + cluster.pids());
      System.out.flush();
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      int puts = 0;
      while (System.nanoTime() < end) {
        kv.put(key(puts++), value).get();
      }
      Map<String, long[]> after = threadFigures(pids);
      print(subject, members, seconds, puts, warmupPuts, before, after);
    } finally {
      // the members' data dirs and logs (about 4 MB a run) were left in /tmp after every run
      BenchMain.removeScratch(dir);
    }
  }

  private static ByteSequence key(int i) {
    return ByteSequence.from("bench/threads/" + (i % 1000), StandardCharsets.UTF_8);
  }

  /** Per thread ("m0/1234:raft-1a2b"): on-CPU ns, runnable-waiting ns, times scheduled, user ns, system ns. */
  private static Map<String, long[]> threadFigures(List<Long> pids) throws IOException {
    Map<String, long[]> figures = new HashMap<>();
    long tickNanos = 1_000_000_000L / 100; // USER_HZ
    for (int p = 0; p < pids.size(); p++) {
      String process = p == pids.size() - 1 ? "client" : "m" + p;
      try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pids.get(p) + "/task"))) {
        for (Path task : tasks) {
          try {
            String name = Files.readString(task.resolve("comm")).trim();
            String[] sched = Files.readString(task.resolve("schedstat")).trim().split(" ");
            String stat = Files.readString(task.resolve("stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            figures.put(process + "/" + task.getFileName() + ":" + name, new long[] {Long.parseLong(sched[0]),
                Long.parseLong(sched[1]), Long.parseLong(sched[2]), Long.parseLong(fields[11]) * tickNanos,
                Long.parseLong(fields[12]) * tickNanos});
          } catch (IOException | RuntimeException gone) {
            // the thread ended between the listing and the read
          }
        }
      }
    }
    return figures;
  }

  private static void print(String subject, int members, long seconds, int puts, int warmupPuts,
                            Map<String, long[]> before, Map<String, long[]> after) {
    Map<String, long[]> byName = new TreeMap<>();
    for (Map.Entry<String, long[]> e : after.entrySet()) {
      long[] start = before.getOrDefault(e.getKey(), new long[5]);
      // one line per process and thread name, numbered threads of a pool together
      String name = e.getKey().replaceAll("/[0-9]+:", ":").replaceAll("[0-9]+$", "#");
      long[] sum = byName.computeIfAbsent(name, k -> new long[5]);
      for (int i = 0; i < 5; i++) {
        sum[i] += e.getValue()[i] - start[i];
      }
    }
    System.out.printf("%s, %d members: %d sequential puts in %d s (%.2f ms each) after %d to warm up%n", subject,
        members, puts, seconds, seconds * 1000.0 / puts, warmupPuts);
    System.out.printf("%-36s %9s %9s %7s %9s %9s%n", "per put", "cpu_us", "wait_us", "slices", "user_us", "sys_us");
    for (Map.Entry<String, long[]> e : byName.entrySet()) {
      long[] s = e.getValue();
      if (s[0] / 1000.0 / puts >= 1) {
        System.out.printf("%-36s %9.1f %9.1f %7.2f %9.1f %9.1f%n", e.getKey(), s[0] / 1e3 / puts, s[1] / 1e3 / puts,
            s[2] / (double) puts, s[3] / 1e3 / puts, s[4] / 1e3 / puts);
      }
    }
  }
}
