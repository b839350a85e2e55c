package dev.tugboat.bench.store;

import dev.tugboat.bench.proc.CompilerThreadsCpu;
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
 * after the fixed warm-up, unmeasured rounds go on until this JVM's compiler threads are quiet, whichever subject is
 * first; the members get the same warm-up count either way.
 */
public final class SequentialPuts {
  /** Puts in one extra warm-up round. */
  private static final int WARM_UP_ROUND = 500;
  /** The client's JIT is quiet when its compiler threads used less than this share of a round's time. */
  private static final double QUIET_JIT_SHARE = 0.05;
  private static final int MAX_WARM_UP_ROUNDS = 20;

  private SequentialPuts() {}

  public static Samples run(List<String> endpoints, int warmup, int count) throws Exception {
    byte[] value = new byte[256];
    ThreadLocalRandom.current().nextBytes(value);
    ByteSequence v = ByteSequence.from(value);
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      CompilerThreadsCpu compiler = CompilerThreadsCpu.of(ProcessHandle.current().pid());
      int i = 0;
      for (; i < warmup; i++) {
        put(kv, i, v);
      }
      for (int round = 0; round < MAX_WARM_UP_ROUNDS; round++) {
        compiler.millisecondsSinceLast();
        long start = System.nanoTime();
        for (int end = i + WARM_UP_ROUND; i < end; i++) {
          put(kv, i, v);
        }
        double roundMs = (System.nanoTime() - start) / 1e6;
        double compiledMs = compiler.millisecondsSinceLast();
        System.out.printf("put warm-up round %d: %.0f ms, the bench JVM's compiler threads used %.0f ms of CPU%n",
            round, roundMs, compiledMs);
        if (compiledMs < QUIET_JIT_SHARE * roundMs) {
          break;
        }
      }
      Samples samples = new Samples();
      for (int measured = 0; measured < count; measured++, i++) {
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
