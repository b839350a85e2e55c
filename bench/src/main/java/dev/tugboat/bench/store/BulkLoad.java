package dev.tugboat.bench.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/** Writes {@code count} distinct keys with 256-byte values, {@code window} requests in flight, to measure memory at scale. */
public final class BulkLoad {
  private BulkLoad() {}

  public static void run(List<String> endpoints, int count, int window) throws Exception {
    byte[] value = new byte[256];
    java.util.Arrays.fill(value, (byte) 'v');
    ByteSequence v = ByteSequence.from(value);
    Semaphore inFlight = new Semaphore(window);
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      CompletableFuture<?> failure = new CompletableFuture<>();
      for (int i = 0; i < count && !failure.isDone(); i++) {
        inFlight.acquire();
        ByteSequence key = ByteSequence.from(String.format("bench/bulk/%08d", i), StandardCharsets.UTF_8);
        kv.put(key, v).whenComplete((r, e) -> {
          inFlight.release();
          if (e != null) {
            failure.completeExceptionally(e);
          }
        });
      }
      inFlight.acquire(window);
      if (failure.isCompletedExceptionally()) {
        failure.join();
      }
    }
  }
}
