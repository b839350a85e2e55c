package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class EveryEventAwaitedTest {

  private final CountDownLatch allSeen = new CountDownLatch(2);
  private final CompletableFuture<Void> failed = new CompletableFuture<>();
  private final WatcherDeliveries first = new WatcherDeliveries(3, allSeen);
  private final WatcherDeliveries second = new WatcherDeliveries(3, allSeen);

  private static void added(WatcherDeliveries watcher, int pod) {
    byte[] line = ("{\"type\":\"ADDED\",\"object\":" + ApiServerBench.podJson("bench-watch", "w" + pod, 1) + "}")
        .getBytes(StandardCharsets.UTF_8);
    watcher.accept(Unpooled.wrappedBuffer(line), 0, line.length);
  }

  @Test
  void theRoundEndsOnceEveryWatcherSawEveryPod() {
    for (int pod = 0; pod < 3; pod++) {
      added(first, pod);
      added(second, 2 - pod);
    }
    assertThatCode(() -> ApiServerBench.awaitEveryEvent(allSeen, failed, List.of(first, second), 3,
        Duration.ofSeconds(10))).doesNotThrowAnyException();
  }

  @Test
  void aWatcherThatMissedAnEventFailsTheRoundNamingItAndThePod() {
    for (int pod = 0; pod < 3; pod++) {
      added(first, pod);
    }
    added(second, 0);
    added(second, 2);
    assertThatThrownBy(() -> ApiServerBench.awaitEveryEvent(allSeen, failed, List.of(first, second), 3,
        Duration.ofMillis(200)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("watchers saw 5 of 6 events within 0.2 s: watcher 1 saw 2 (not w1)");
  }

  @Test
  void aWatcherWhoseStreamFailedFailsTheRoundAtOnce() {
    failed.completeExceptionally(new IllegalStateException("watcher 1 of bench-watch: stream reset"));
    long start = System.nanoTime();
    assertThatThrownBy(() -> ApiServerBench.awaitEveryEvent(allSeen, failed, List.of(first, second), 3,
        Duration.ofSeconds(60)))
        .isInstanceOf(CompletionException.class)
        .hasRootCauseMessage("watcher 1 of bench-watch: stream reset");
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
  }
}
