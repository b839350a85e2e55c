package dev.tugboat.bench.store;

import dev.tugboat.bench.BenchPart;
import dev.tugboat.bench.report.BenchCase;
import dev.tugboat.bench.report.BenchReport;
import dev.tugboat.bench.report.Figures;
import dev.tugboat.bench.report.Samples;
import dev.tugboat.bench.proc.ProcessMemory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tugboat's store against etcd 3.4, three members each on loopback with their own data dirs, with the same clients:
 * etcdctl check perf, one jetcd client's sequential puts, and member memory holding a million keys.
 */
public final class StoreBench implements BenchPart {
  private static final int MEMBERS = 3;
  private final Path home;
  private final int keysForMemory;

  public StoreBench(Path home, int keysForMemory) {
    this.home = home;
    this.keysForMemory = keysForMemory;
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
    BenchCase perf = report.addCase("etcdctl check perf --load=l, 3 members on loopback");
    BenchCase puts = report.addCase("one jetcd client, sequential puts of 256-byte values, 2000 after 200 warm-up");
    BenchCase memory = report.addCase("member memory with " + keysForMemory + " keys of 256-byte values, 3 members");
    for (Map.Entry<String, List<String>> subject : subjects().entrySet()) {
      String name = subject.getKey();
      Path dir = Files.createDirectories(scratch.resolve(name));
      try (StoreMembers members = StoreMembers.start(subject.getValue(), MEMBERS, dir.resolve("perf"), Duration.ofSeconds(60))) {
        perf.subject(name, CheckPerf.run(members.endpoints(), "l"));
        puts.subject(name, SequentialPuts.run(members.endpoints(), 200, 2000).figures());
      } catch (Exception e) {
        perf.subject(name, Figures.error(name + ": " + e.getMessage()));
        puts.subject(name, Figures.error(name + ": " + e.getMessage()));
      }
      try (StoreMembers members = StoreMembers.start(subject.getValue(), MEMBERS, dir.resolve("memory"), Duration.ofSeconds(60))) {
        BulkLoad.run(members.endpoints(), keysForMemory, 256);
        Samples rss = new Samples();
        double max = 0;
        for (long pid : members.pids()) {
          double mb = ProcessMemory.rssMegabytes(pid);
          max = Math.max(max, mb);
        }
        memory.subject(name, new Figures().put("max_member_rss_mb", Math.round(max)));
      } catch (Exception e) {
        memory.subject(name, Figures.error(name + ": " + e.getMessage()));
      }
    }
    perf.target("tugboat.writes_per_s >= 7200");
    puts.ratio("tugboat", "p50_ms", "etcd", "p50_ms").target("tugboat_p50_over_etcd_p50 <= 0.5");
    memory.ratio("tugboat", "max_member_rss_mb", "etcd", "max_member_rss_mb")
        .target("tugboat_max_member_rss_mb_over_etcd_max_member_rss_mb < 1");
  }
}
