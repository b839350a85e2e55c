package dev.tugboat.bench.store;

import dev.tugboat.bench.report.Samples;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One small record appended and made durable, as a log does before it acknowledges a write: a write into a file whose
 * blocks are already allocated and synced, then fdatasync. Measured in the directory the members' data dirs live in,
 * so on the same filesystem and disk.
 */
public final class FsyncLatency {
  private FsyncLatency() {}

  public static Samples run(Path dir, int recordBytes, int warmup, int count) throws IOException {
    Path file = Files.createTempFile(dir, "fsync-latency-", ".log");
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long length = (long) recordBytes * (warmup + count);
      ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
      for (long at = 0; at < length; at += zeros.capacity()) {
        channel.write(zeros.clear(), at);
      }
      channel.force(true);
      ByteBuffer record = ByteBuffer.allocate(recordBytes);
      Samples samples = new Samples();
      for (int i = 0; i < warmup + count; i++) {
        long start = System.nanoTime();
        channel.write(record.clear(), (long) i * recordBytes);
        channel.force(false);
        if (i >= warmup) {
          samples.add(System.nanoTime() - start);
        }
      }
      return samples;
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
