package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.await;
import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.mvcc.StoreTesting.RecordingListener;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WatchTest {

  private MvccKeyValueStore store = MvccKeyValueStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  private void put(String key, String value) {
    await(store.put(PutRequest.of(b(key), b(value))));
  }

  private void delete(String key) {
    await(store.deleteRange(DeleteRangeRequest.key(b(key))));
  }

  @Test
  void aWatchFromNowSeesLaterChangesInItsRangeOnly() {
    put("p/a", "0");
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("p/"), 0), listener);
    put("p/a", "1");
    put("q", "ignored");
    delete("p/a");
    put("p/b", "2");
    assertThat(listener.next(3)).containsExactly("3 PUT p/a=1", "5 DELETE p/a", "6 PUT p/b=2");
  }

  @Test
  void aWatchFromAPastRevisionReplaysHistoryThenFollowsLiveChangesWithoutGapOrRepeat() {
    put("a", "1");  // 2
    put("a", "2");  // 3
    delete("a");    // 4
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 3).withPrevKv(), listener);
    put("a", "3");  // 5
    assertThat(listener.next(3)).containsExactly("3 PUT a=2 prev=1", "4 DELETE a prev=2", "5 PUT a=3");
  }

  @Test
  void replayedEventsOfOneRevisionArriveTogetherInApplyOrder() {
    put("x", "0");  // 2
    List<Op> ops = List.of(PutRequest.of(b("k/b"), b("1")), PutRequest.of(b("k/a"), b("1")),
        PutRequest.of(b("k/c"), b("1")));
    await(store.txn(new TxnRequest(List.of(), ops, List.of())));  // 3
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("k/"), 2), listener);
    assertThat(listener.next(3)).containsExactly("3 PUT k/b=1", "3 PUT k/a=1", "3 PUT k/c=1");
    assertThat(listener.batchRevisions).containsExactly(3L);
  }

  @Test
  void aWatchFromACompactedRevisionEndsWithTheCompactRevision() {
    put("a", "1");
    put("a", "2");
    put("a", "3");
    await(store.compact(3));
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 2), listener);
    assertThat(listener.next(1)).containsExactly("compacted 3");
    put("a", "4");
    RecordingListener fromCompactRevision = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 3), fromCompactRevision);
    assertThat(fromCompactRevision.next(2)).containsExactly("3 PUT a=2", "4 PUT a=3");
  }

  @Test
  void filtersDropPutsOrDeletes() {
    RecordingListener onlyDeletes = new RecordingListener();
    store.watch(new WatchRequest(b("a"), KeyRanges.NONE, 0, false, false, true, false), onlyDeletes);
    RecordingListener onlyPuts = new RecordingListener();
    store.watch(new WatchRequest(b("a"), KeyRanges.NONE, 0, false, false, false, true), onlyPuts);
    put("a", "1");
    delete("a");
    put("a", "2");
    assertThat(onlyDeletes.next(1)).containsExactly("3 DELETE a");
    assertThat(onlyPuts.next(2)).containsExactly("2 PUT a=1", "4 PUT a=2");
  }

  @Test
  void aFutureStartRevisionWaitsForIt() {
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 4), listener);
    put("a", "1");
    put("a", "2");
    put("a", "3");
    assertThat(listener.next(1)).containsExactly("4 PUT a=3");
  }

  @Test
  void progressRequestsReportTheCurrentRevisionAfterEarlierEvents() {
    RecordingListener listener = new RecordingListener();
    Watch watch = store.watch(WatchRequest.prefix(b("a"), 0), listener);
    put("a", "1");
    put("b", "1");
    watch.requestProgress();
    assertThat(listener.next(2)).containsExactly("2 PUT a=1", "progress 3");
  }

  @Test
  void periodicProgressGoesOnlyToIdleWatchesThatAskedForIt() {
    store.close();
    store = MvccKeyValueStore.inMemory(Duration.ofMillis(50));
    RecordingListener asked = new RecordingListener();
    store.watch(new WatchRequest(b("a"), KeyRanges.NONE, 0, false, true, false, false), asked);
    RecordingListener notAsked = new RecordingListener();
    store.watch(new WatchRequest(b("a"), KeyRanges.NONE, 0, false, false, false, false), notAsked);
    put("other", "1");
    assertThat(asked.next(1).get(0)).matches("progress [12]");
    put("a", "1");
    assertThat(notAsked.next(1)).containsExactly("3 PUT a=1");
  }

  @Test
  void noEventFollowsACompletedCancel() throws Exception {
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    RecordingListener listener = new RecordingListener() {
      @Override
      public void onEvents(long revision, List<dev.tugboat.control.store.WatchEvent> events) {
        super.onEvents(revision, events);
        inCallback.countDown();
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    };
    Watch watch = store.watch(WatchRequest.prefix(b("a"), 0), listener);
    put("a", "1");
    assertThat(inCallback.await(30, TimeUnit.SECONDS)).isTrue();
    put("a", "2");
    Thread canceller = new Thread(watch::cancel);
    canceller.start();
    while (canceller.getState() != Thread.State.WAITING) {  // parked: waiting for the running callback to end
      Thread.onSpinWait();
    }
    release.countDown();
    canceller.join();
    put("a", "3");
    assertThat(listener.lines).containsExactly("2 PUT a=1");
    assertThat(store.stateMachine().watchCount()).isZero();
  }

  @Test
  void closingTheStoreClosesEveryWatch() {
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 0), listener);
    store.close();
    assertThat(listener.next(1)).containsExactly("closed store is closed");
  }

  @Test
  void aFailingListenerLosesItsWatchButOthersGoOn() {
    RecordingListener healthy = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 0), new RecordingListener() {
      @Override
      public void onEvents(long revision, List<dev.tugboat.control.store.WatchEvent> events) {
        throw new IllegalStateException("listener bug");
      }
    });
    store.watch(WatchRequest.prefix(b("a"), 0), healthy);
    put("a", "1");
    put("a", "2");
    assertThat(healthy.next(2)).containsExactly("2 PUT a=1", "3 PUT a=2");
    while (store.stateMachine().watchCount() != 1) {  // the failed watch is removed on its own delivery thread
      Thread.onSpinWait();
    }
  }
}
