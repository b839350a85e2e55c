package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.log.RaftLog;
import dev.tugboat.control.store.raft.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * What a single member adds to a write beyond the disk: sequential 256-byte proposals through a {@link RaftNode}
 * (handoff to the Raft thread, append, fsync, apply, completion) alternated with bare log append + sync rounds.
 * Not a test: {@code ProposeLatencyProbe [dir] [n] [rounds]}.
 */
public final class ProposeLatencyProbe {
  public static void main(String[] args) throws Exception {
    Path base = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/var/tmp/tug-propose-probe"));
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long[] node = new long[n * rounds];
    long[] bare = new long[n * rounds];
    byte[] command = new byte[256];
    try (RaftNode raft = RaftNode.start(RaftNodeConfig.single(Files.createTempDirectory(base, "node"))
        .withSnapshotEntries(Long.MAX_VALUE), new CommandListStateMachine());
         RaftLog log = RaftLog.open(Files.createTempDirectory(base, "log"), SystemTimeProvider.INSTANCE,
             RollCycles.FIVE_MINUTELY, RaftLog.SyncMethod.FILE_CHANNEL_FORCE)) {
      for (int i = 0; i < 500; i++) {
        raft.propose(command).get(10, TimeUnit.SECONDS);
      }
      long index = 0;
      for (int r = 0; r < rounds; r++) {
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          raft.propose(command).get(10, TimeUnit.SECONDS);
          node[r * n + i] = System.nanoTime() - start;
        }
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          log.append(List.of(Entry.normal(++index, 1, command)));
          log.sync();
          bare[r * n + i] = System.nanoTime() - start;
        }
      }
    }
    report("RaftNode propose -> applied", node);
    report("RaftLog append + sync", bare);
  }

  private static void report(String what, long[] samples) {
    long[] s = samples.clone();
    Arrays.sort(s);
    System.out.printf("%-30s p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  n=%d%n", what, s[s.length / 2] / 1e6,
        s[(int) (s.length * 0.9)] / 1e6, s[(int) (s.length * 0.99)] / 1e6, s.length);
  }
}
