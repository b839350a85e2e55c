package dev.tugboat.bench.store;

import dev.tugboat.bench.report.Samples;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** One jetcd client putting 256-byte values one after another: the latency of a single durable write. */
public final class SequentialPuts {
  private SequentialPuts() {}

  public static Samples run(List<String> endpoints, int warmup, int count) throws Exception {
    byte[] value = new byte[256];
    ThreadLocalRandom.current().nextBytes(value);
    ByteSequence v = ByteSequence.from(value);
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      Samples samples = new Samples();
      for (int i = 0; i < warmup + count; i++) {
        ByteSequence key = ByteSequence.from("bench/seq/" + (i % 1000), StandardCharsets.UTF_8);
        long start = System.nanoTime();
        kv.put(key, v).get();
        long elapsed = System.nanoTime() - start;
        if (i >= warmup) {
          samples.add(elapsed);
        }
      }
      return samples;
    }
  }
}
