package dev.tugboat.control.store.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import dev.tugboat.control.store.raft.Entry;
import net.openhft.chronicle.core.time.SystemTimeProvider;
import net.openhft.chronicle.queue.RollCycles;

/**
 * Measures what making one small write durable costs on this machine, four ways: the Raft log with each
 * {@link RaftLog.SyncMethod}, a plain file with FileChannel.force, and a 4 KiB O_DSYNC write. Not a test: run with
 * {@code java -cp ... dev.tugboat.control.store.log.RaftLogSyncCost [dir] [n]}.
 */
public final class RaftLogSyncCost {
  public static void main(String[] args) throws IOException {
    Path base = Path.of(args.length > 0 ? args[0] : "/var/tmp/tug-sync-cost");
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Files.createDirectories(base);
    for (int round = 0; round < 2; round++) {
      for (RaftLog.SyncMethod method : RaftLog.SyncMethod.values()) {
        Path dir = Files.createTempDirectory(base, method.name());
        try (RaftLog log = RaftLog.open(dir, SystemTimeProvider.INSTANCE, RollCycles.FIVE_MINUTELY, method)) {
          long[] samples = new long[n];
          byte[] data = new byte[256];
          for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            log.append(List.of(Entry.normal(i + 1, 1, data)));
            log.sync();
            samples[i] = System.nanoTime() - start;
          }
          report("raft log append 256 B + sync, " + method, samples);
        }
      }
      Path plain = Files.createTempFile(base, "plain", ".log");
      try (FileChannel channel = FileChannel.open(plain, StandardOpenOption.WRITE)) {
        long[] samples = new long[n];
        ByteBuffer buffer = ByteBuffer.allocateDirect(300);
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          buffer.clear();
          channel.write(buffer);
          channel.force(false);
          samples[i] = System.nanoTime() - start;
        }
        report("plain file append 300 B + FileChannel.force(false)", samples);
      }
      Path dsync = Files.createTempFile(base, "dsync", ".log");
      try (FileChannel channel = FileChannel.open(dsync, StandardOpenOption.WRITE, StandardOpenOption.DSYNC)) {
        long[] samples = new long[n];
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        for (int i = 0; i < n; i++) {
          long start = System.nanoTime();
          buffer.clear();
          channel.write(buffer, (long) i * 4096);
          samples[i] = System.nanoTime() - start;
        }
        report("4 KiB O_DSYNC write", samples);
      }
    }
  }

  private static void report(String what, long[] samples) {
    long[] sorted = samples.clone();
    Arrays.sort(sorted);
    System.out.printf("%-55s p50 %.3f ms  p99 %.3f ms  n=%d%n", what, sorted[sorted.length / 2] / 1e6,
        sorted[(int) (sorted.length * 0.99)] / 1e6, sorted.length);
  }
}
