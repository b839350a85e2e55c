package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class WatcherDeliveriesTest {

  private final CountDownLatch allSeen = new CountDownLatch(1);
  private final WatcherDeliveries watcher = new WatcherDeliveries(3, allSeen);

  private void event(String type, int pod, long sentNanos) {
    byte[] line = ("{\"type\":\"" + type + "\",\"object\":" + ApiServerBench.podJson("bench-watch", "w" + pod,
        sentNanos) + "}").getBytes(StandardCharsets.UTF_8);
    watcher.accept(Unpooled.wrappedBuffer(line), 0, line.length);
  }

  @Test
  void eachPodsSendTimeAndArrivalAreKeptByItsNumber() {
    long before = System.nanoTime();
    event("ADDED", 2, 20);
    event("ADDED", 0, 5);
    assertThat(watcher.saw(2)).isTrue();
    assertThat(watcher.saw(1)).isFalse();
    assertThat(watcher.sentNanos(2)).isEqualTo(20);
    assertThat(watcher.sentNanos(0)).isEqualTo(5);
    assertThat(watcher.arrivedNanos(2)).isBetween(before, System.nanoTime());
    assertThat(watcher.arrivedNanos(0)).isGreaterThanOrEqualTo(watcher.arrivedNanos(2));
  }

  @Test
  void theLatchIsCountedDownOnceEveryPodIsSeenAndNotBefore() {
    event("ADDED", 0, 1);
    event("MODIFIED", 1, 1);
    event("ADDED", 2, 1);
    assertThat(allSeen.getCount()).isEqualTo(1);
    assertThat(watcher.count()).isEqualTo(2);
    assertThat(watcher.firstMissing()).isEqualTo(1);
    event("ADDED", 1, 1);
    assertThat(allSeen.getCount()).isZero();
    assertThat(watcher.firstMissing()).isEqualTo(-1);
  }

  @Test
  void aPodSeenTwiceIsAnErrorAndDoesNotCountTwice() {
    event("ADDED", 1, 1);
    assertThatThrownBy(() -> event("ADDED", 1, 1)).hasMessage("watcher saw the ADDED event of pod w1 twice");
    assertThat(watcher.count()).isEqualTo(1);
  }

  @Test
  void aPodOutsideTheRunIsAnError() {
    assertThatThrownBy(() -> event("ADDED", 3, 1)).hasMessage("watcher saw pod w3, but the run creates w0 to w2");
  }
}
