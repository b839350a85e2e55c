package dev.tugboat.bench.store;

import dev.tugboat.bench.proc.JitWarmUp;
import dev.tugboat.bench.report.Samples;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One jetcd client putting 256-byte values one after another: the latency of a single durable write.
 *
 * <p>The client is this JVM, which the subjects share: the first subject measured used to meet a cold client whose C2
 * was still compiling jetcd, gRPC and Vert.x (PutThreadCosts, 2026-11-29, after 1000 puts: the client's C2 thread
 * 0.74-1.07 ms of CPU per put on the 2 cores the members need), while the next one met the client it had warmed. So
 * after the fixed warm-up, unmeasured rounds go on until the compiler threads of this JVM and of the subject's
 * processes are quiet, whichever subject is first: a member's JIT compiling while puts are measured was the same
 * cost on the same cores. etcd, a Go binary, has no JIT to warm; its rounds stop when the client's is quiet.
 */
public final class SequentialPuts {
  /** Puts in one extra warm-up round. */
  private static final int WARM_UP_ROUND = 500;
  private static final int MAX_WARM_UP_ROUNDS = 80;
  /** Quiet rounds in a row that end the warm-up. */
  private static final int QUIET_ROUNDS = 3;

  private SequentialPuts() {}

  /** {@code subjectPids}: the processes serving the puts; a JVM among them is warmed until its JIT is quiet too. */
  public static Samples run(List<String> endpoints, List<Long> subjectPids, int warmup, int count) throws Exception {
    byte[] value = new byte[256];
    ThreadLocalRandom.current().nextBytes(value);
    ByteSequence v = ByteSequence.from(value);
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      for (int i = 0; i < warmup; i++) {
        put(kv, i, v);
      }
      int rounds = JitWarmUp.untilQuiet("put", MAX_WARM_UP_ROUNDS, subjectPids, QUIET_ROUNDS, round -> {
        for (int i = 0; i < WARM_UP_ROUND; i++) {
          put(kv, warmup + round * WARM_UP_ROUND + i, v);
        }
      });
      Samples samples = new Samples();
      for (int i = warmup + rounds * WARM_UP_ROUND, end = i + count; i < end; i++) {
        samples.add(put(kv, i, v));
      }
      return samples;
    }
  }

  /** Puts one key of a thousand, and returns how long the put took in nanoseconds. */
  private static long put(KV kv, int i, ByteSequence value) throws Exception {
    ByteSequence key = ByteSequence.from("bench/seq/" + (i % 1000), StandardCharsets.UTF_8);
    long start = System.nanoTime();
    kv.put(key, value).get();
    return System.nanoTime() - start;
  }
}
