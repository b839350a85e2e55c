package dev.tugboat.bench.store;

import dev.tugboat.bench.BenchPart;
import dev.tugboat.bench.report.BenchCase;
import dev.tugboat.bench.report.BenchReport;
import dev.tugboat.bench.report.Figures;
import dev.tugboat.bench.proc.ProcessCpu;
import dev.tugboat.bench.proc.ProcessMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tugboat's store against etcd 3.4, three members each on loopback with their own data dirs, with the same clients:
 * etcdctl check perf, one jetcd client's sequential puts, and member memory holding a million keys. Beside them, the
 * floor of a sequential put on this machine: the same client against a server that answers at once, and a bare
 * fdatasync on the members' filesystem.
 */
public final class StoreBench implements BenchPart {
  private static final int MEMBERS = 3;
  private final Path home;
  private final int keysForMemory;
  public static final Set<String> CASES = Set.of("perf", "puts", "floor", "memory");
  /** A put's value and its key, about what a log appends for one put. */
  private static final int RECORD_BYTES = 300;
  private final Set<String> cases;

  /** {@code cases} names the cases to run: perf, puts, floor, memory. */
  public StoreBench(Path home, int keysForMemory, Set<String> cases) {
    this.home = home;
    this.keysForMemory = keysForMemory;
    this.cases = cases;
  }

  @Override
  public String name() {
    return "store";
  }

  private Map<String, List<String>> subjects() {
    Map<String, List<String>> subjects = new LinkedHashMap<>();
    subjects.put("tugboat", List.of(home.resolve("bin/tug").toString(), "store"));
    subjects.put("etcd", List.of("etcd"));
    return subjects;
  }

  @Override
  public void run(BenchReport report, Path scratch) throws Exception {
    BenchCase perf = cases.contains("perf")
        ? report.addCase("etcdctl check perf --load=l, 3 members on loopback, after the sequential puts;"
            + " answering_server: the same etcdctl against 3 servers that answer every request at once (no Raft, no"
            + " disk), the most writes/s etcdctl drives on this machine") : null;
    BenchCase puts = cases.contains("puts")
        ? report.addCase("one jetcd client, sequential puts of 256-byte values, 2000 after 200 warm-up and more until"
            + " the client's and the members' JIT is quiet") : null;
    BenchCase floor = cases.contains("floor")
        ? report.addCase("floor of one sequential put here: the jetcd client against a server that answers at once,"
            + " 5000 puts to warm up then 2000; one " + RECORD_BYTES + "-byte write + fdatasync on the members'"
            + " filesystem, 200 then 2000") : null;
    BenchCase memory = cases.contains("memory")
        ? report.addCase("member memory with " + keysForMemory + " keys of 256-byte values, 3 members") : null;
    for (Map.Entry<String, List<String>> subject : subjects().entrySet()) {
      String name = subject.getKey();
      Path dir = Files.createDirectories(scratch.resolve(name));
      if (perf != null || puts != null) {
        runLatency(name, subject.getValue(), dir, perf, puts);
      }
      if (memory != null) {
        runMemory(name, subject.getValue(), dir, memory);
      }
    }
    if (floor != null) {
      runFloor(scratch, floor);
    }
    if (perf != null) {
      runCheckPerfCeiling(scratch, perf);
      perf.target("tugboat.writes_per_s >= 7200 and tugboat.slowest_ms < 500");
    }
    if (puts != null) {
      puts.ratio("tugboat", "p50_ms", "etcd", "p50_ms").ratio("tugboat", "p99_ms", "etcd", "p99_ms")
          .target("tugboat_p50_over_etcd_p50 <= 0.5 and tugboat_p99_over_etcd_p99 < 1");
    }
    if (memory != null) {
      memory.ratio("tugboat", "max_member_rss_mb", "etcd", "max_member_rss_mb")
          .target("tugboat_max_member_rss_mb_over_etcd_max_member_rss_mb < 1");
    }
  }

  /**
   * The sequential puts run first on a fresh cluster, and check perf after them on the same members: the puts' warm-up
   * goes on until the members' JIT is quiet as well as the client's, so check perf meets a store whose put path is
   * compiled, as a long-running one's is, instead of sharing the cores with its compiler for its first minute.
   */
  private static void runLatency(String name, List<String> command, Path dir, BenchCase perf, BenchCase puts) {
    try (StoreMembers members = StoreMembers.start(command, MEMBERS, dir.resolve("perf"), Duration.ofSeconds(60))) {
      Figures putFigures = SequentialPuts.run(members.endpoints(), members.pids(), 200, 2000).figures();
      if (puts != null) {
        puts.subject(name, putFigures);
      }
      if (perf != null) {
        double cpuBefore = memberCpuSeconds(members);
        Figures figures = CheckPerf.run(members.endpoints(), "l");
        double cpu = memberCpuSeconds(members) - cpuBefore;
        Double writesPerSecond = figures.get("writes_per_s");
        if (writesPerSecond != null && writesPerSecond > 0) {
          // check perf writes for 60 s: the members' CPU per 1000 writes, which the machine's other load moves little
          figures.put("member_cpu_ms_per_1000_writes",
              Math.round(cpu * 1000 * 1000 / (writesPerSecond * CheckPerf.SECONDS)));
        }
        perf.subject(name, figures);
      }
    } catch (Exception e) {
      for (BenchCase c : new BenchCase[] {perf, puts}) {
        if (c != null) {
          c.subject(name, Figures.error(name + ": " + e.getMessage()));
        }
      }
    }
  }

  /** etcdctl check perf against members that do no work: what the client alone reaches on this machine. */
  private static void runCheckPerfCeiling(Path scratch, BenchCase perf) {
    try (StoreMembers servers = StoreMembers.start(answeringServer(), MEMBERS, scratch.resolve("answering-perf"),
        Duration.ofSeconds(60))) {
      perf.subject("answering_server", CheckPerf.run(servers.endpoints(), "l"));
    } catch (Exception e) {
      perf.subject("answering_server", Figures.error("answering servers: " + e.getMessage()));
    }
  }

  private static List<String> answeringServer() {
    return List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
        System.getProperty("java.class.path"), AnsweringKvServer.class.getName());
  }

  private static void runFloor(Path scratch, BenchCase floor) {
    try (StoreMembers server = StoreMembers.start(answeringServer(), 1, scratch.resolve("answering"),
        Duration.ofSeconds(60))) {
      floor.subject("answering_server", SequentialPuts.run(server.endpoints(), server.pids(), 5000, 2000).figures());
    } catch (Exception e) {
      floor.subject("answering_server", Figures.error("answering server: " + e.getMessage()));
    }
    try {
      floor.subject("fdatasync", FsyncLatency.run(scratch, RECORD_BYTES, 200, 2000).figures());
    } catch (Exception e) {
      floor.subject("fdatasync", Figures.error("fdatasync: " + e.getMessage()));
    }
  }

  private static double memberCpuSeconds(StoreMembers members) throws java.io.IOException {
    double total = 0;
    for (long pid : members.pids()) {
      total += ProcessCpu.milliseconds(pid) / 1000;
    }
    return total;
  }

  private void runMemory(String name, List<String> command, Path dir, BenchCase memory) {
    try (StoreMembers members = StoreMembers.start(command, MEMBERS, dir.resolve("memory"), Duration.ofSeconds(60))) {
      long retries = BulkLoad.run(members.endpoints(), keysForMemory, 256);
      double max = 0;
      for (long pid : members.pids()) {
        max = Math.max(max, ProcessMemory.rssMegabytes(pid));
      }
      memory.subject(name, new Figures().put("max_member_rss_mb", Math.round(max)).put("put_retries", retries));
    } catch (Exception e) {
      memory.subject(name, Figures.error(name + ": " + e.getMessage()));
    }
  }
}
