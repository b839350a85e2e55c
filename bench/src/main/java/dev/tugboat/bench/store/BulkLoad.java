package dev.tugboat.bench.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes {@code count} distinct keys with 256-byte values, {@code window} requests in flight, to measure memory at
 * scale. A put that fails for a reason that passes (no leader during an election, a timed-out request) is tried
 * again after a pause, and the retries are reported on stderr: a memory case must not die halfway through its load
 * because a member held an election. Every put writes the same value to its own key, so trying one again is harmless.
 */
public final class BulkLoad {
  /** How long one key may keep failing transiently before the load gives up on it. */
  static final long GIVE_UP_AFTER_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long RETRY_PAUSE_MILLIS = 100;

  private BulkLoad() {}

  /** Returns how many puts were tried again. */
  public static long run(List<String> endpoints, int count, int window) throws Exception {
    byte[] value = new byte[256];
    java.util.Arrays.fill(value, (byte) 'v');
    ByteSequence v = ByteSequence.from(value);
    Semaphore inFlight = new Semaphore(window);
    AtomicLong retries = new AtomicLong();
    ScheduledExecutorService pauses = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bulk-load-retry");
      t.setDaemon(true);
      return t;
    });
    try (Client client = Client.builder().endpoints(endpoints.toArray(String[]::new)).build()) {
      KV kv = client.getKVClient();
      CompletableFuture<?> failure = new CompletableFuture<>();
      for (int i = 0; i < count && !failure.isDone(); i++) {
        inFlight.acquire();
        ByteSequence key = ByteSequence.from(String.format("bench/bulk/%08d", i), StandardCharsets.UTF_8);
        new Put(kv, key, v, System.nanoTime(), pauses, retries, () -> inFlight.release(), failure).start();
      }
      inFlight.acquire(window);
      if (failure.isCompletedExceptionally()) {
        failure.join();
      }
    } finally {
      pauses.shutdownNow();
    }
    if (retries.get() > 0) {
      System.err.println("bulk load: " + retries.get() + " puts were tried again after a transient error");
    }
    return retries.get();
  }

  /** One key's put, tried again while it fails transiently. */
  private record Put(KV kv, ByteSequence key, ByteSequence value, long firstTry, ScheduledExecutorService pauses,
                     AtomicLong retries, Runnable done, CompletableFuture<?> failure) {
    void start() {
      kv.put(key, value).whenComplete((r, e) -> {
        if (e == null) {
          done.run();
        } else if (isTransient(e) && System.nanoTime() - firstTry < GIVE_UP_AFTER_NANOS && !failure.isDone()) {
          if (retries.incrementAndGet() <= 10) {
            System.err.println("bulk load: put " + key.toString(StandardCharsets.UTF_8) + " failed ("
                + cause(e).getMessage() + "); trying it again");
          }
          pauses.schedule(this::start, RETRY_PAUSE_MILLIS, TimeUnit.MILLISECONDS);
        } else {
          failure.completeExceptionally(new IllegalStateException("bulk load: put "
              + key.toString(StandardCharsets.UTF_8) + " failed: " + cause(e).getMessage(), cause(e)));
          done.run();
        }
      });
    }
  }

  /**
   * Errors a store gives while it has no leader or cannot commit in time (etcd's "no leader", "leader changed",
   * "request timed out", all gRPC UNAVAILABLE or DEADLINE_EXCEEDED), which pass once an election is over.
   */
  static boolean isTransient(Throwable failure) {
    Throwable e = cause(failure);
    if (e instanceof EtcdException etcd) {
      ErrorCode code = etcd.getErrorCode();
      return code == ErrorCode.UNAVAILABLE || code == ErrorCode.DEADLINE_EXCEEDED;
    }
    return false;
  }

  private static Throwable cause(Throwable e) {
    while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
