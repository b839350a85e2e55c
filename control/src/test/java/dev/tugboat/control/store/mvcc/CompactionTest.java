package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.await;
import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.failure;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CompactionTest {

  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  private void put(String key, String value) {
    await(store.put(PutRequest.of(b(key), b(value))));
  }

  private static RangeRequest everything() {
    return new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false);
  }

  @Test
  void readsBeforeTheCompactRevisionFailAndReadsAtOrAfterItStillWork() {
    put("a", "1");  // 2
    put("a", "2");  // 3
    put("b", "1");  // 4
    put("a", "3");  // 5
    assertThat(await(store.compact(4))).isEqualTo(5);
    assertThat(store.compactRevision()).isEqualTo(4);

    StoreException e = failure(store.range(RangeRequest.key(b("a")).atRevision(3)));
    assertThat(e.code()).isEqualTo(StoreException.Code.COMPACTED);
    assertThat(e.compactRevision()).isEqualTo(4);
    assertThat(s(await(store.range(RangeRequest.key(b("a")).atRevision(4))).kvs().get(0).value())).isEqualTo("2");
    assertThat(s(await(store.range(RangeRequest.key(b("a")))).kvs().get(0).value())).isEqualTo("3");
    assertThat(await(store.range(everything().atRevision(4))).count()).isEqualTo(2);
  }

  @Test
  void compactingAgainAtOrBelowTheCompactRevisionOrInTheFutureFails() {
    put("a", "1");
    put("a", "2");
    await(store.compact(2));
    assertThat(failure(store.compact(2)).code()).isEqualTo(StoreException.Code.COMPACTED);
    assertThat(failure(store.compact(1)).code()).isEqualTo(StoreException.Code.COMPACTED);
    assertThat(failure(store.compact(4)).code()).isEqualTo(StoreException.Code.FUTURE_REVISION);
  }

  @Test
  void compactionDropsDeletedKeysAndOldVersionsButKeepsTheLiveOnes() {
    put("a", "1");  // 2
    put("b", "1");  // 3
    await(store.deleteRange(DeleteRangeRequest.key(b("b"))));  // 4
    put("a", "2");  // 5
    await(store.compact(5));
    assertThat(store.stateMachine().keyCount()).isEqualTo(1);
    var a = await(store.range(RangeRequest.key(b("a")))).kvs().get(0);
    assertThat(a.version()).isEqualTo(2);
    assertThat(a.createRevision()).isEqualTo(2);
    assertThat(await(store.range(everything().atRevision(5))).count()).isEqualTo(1);
  }

  @Test
  void compactionKeepsADeletionAtTheCompactRevisionSoWatchesFromThereSeeIt() {
    put("a", "1");  // 2
    await(store.deleteRange(DeleteRangeRequest.key(b("a"))));  // 3
    await(store.compact(3));
    StoreTesting.RecordingListener listener = new StoreTesting.RecordingListener();
    store.watch(dev.tugboat.control.store.WatchRequest.prefix(b("a"), 3).withPrevKv(), listener);
    assertThat(listener.next(1)).containsExactly("3 DELETE a prev=1");
  }

  @Test
  void compactionMovesTheValuesLeftInSparseChunksSoThoseChunksGoAndEveryValueStillReads() {
    KeySpace keySpace = new KeySpace();
    byte[][] newest = new byte[4096][];
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 4096; i++) {
        if (round == 1 && i % 4 == 0) {
          continue; // a quarter of the first round's values stays live
        }
        newest[i] = new byte[1024];
        java.util.Arrays.fill(newest[i], (byte) (i * 7 + round));
        keySpace.beginWrite(false);
        keySpace.put(b(String.format("k%05d", i)), newest[i], 0);
        keySpace.endWrite();
      }
    }
    assertThat(keySpace.valueBytesReserved()).isEqualTo(7L * ValueArena.CHUNK_BYTES);

    keySpace.compact(keySpace.revision());

    assertThat(keySpace.valueBytesReserved()).isLessThanOrEqualTo(5L * ValueArena.CHUNK_BYTES);
    for (int i = 0; i < 4096; i++) {
      assertThat(keySpace.value(keySpace.live(b(String.format("k%05d", i))))).as("key %d", i).isEqualTo(newest[i]);
    }
  }
}
