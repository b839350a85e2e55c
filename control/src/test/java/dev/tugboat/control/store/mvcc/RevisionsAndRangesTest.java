package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.await;
import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.failure;
import static dev.tugboat.control.store.mvcc.StoreTesting.keys;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.DeleteRangeResponse;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RevisionsAndRangesTest {

  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  private PutResponse put(String key, String value) {
    return await(store.put(PutRequest.of(b(key), b(value))));
  }

  private RangeResponse get(RangeRequest request) {
    return await(store.range(request));
  }

  /** etcd's "every key": from "\0" on. */
  private static RangeRequest everything() {
    return new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false);
  }

  @Test
  void emptyStoreIsAtRevisionOneLikeEtcd() {
    assertThat(store.currentRevision()).isEqualTo(1);
    assertThat(store.compactRevision()).isZero();
    RangeResponse r = get(RangeRequest.key(b("a")));
    assertThat(r.kvs()).isEmpty();
    assertThat(r.count()).isZero();
    assertThat(r.revision()).isEqualTo(1);
  }

  @Test
  void eachPutIsOneRevisionAndVersionsCountWithinAGeneration() {
    assertThat(put("a", "1").revision()).isEqualTo(2);
    assertThat(put("a", "2").revision()).isEqualTo(3);
    KeyValue a = get(RangeRequest.key(b("a"))).kvs().get(0);
    assertThat(s(a.value())).isEqualTo("2");
    assertThat(a.createRevision()).isEqualTo(2);
    assertThat(a.modRevision()).isEqualTo(3);
    assertThat(a.version()).isEqualTo(2);

    DeleteRangeResponse deleted = await(store.deleteRange(DeleteRangeRequest.key(b("a"))));
    assertThat(deleted.deleted()).isEqualTo(1);
    assertThat(deleted.revision()).isEqualTo(4);
    assertThat(put("a", "3").revision()).isEqualTo(5);
    KeyValue reborn = get(RangeRequest.key(b("a"))).kvs().get(0);
    assertThat(reborn.createRevision()).isEqualTo(5);
    assertThat(reborn.version()).isEqualTo(1);
  }

  @Test
  void deletingNothingDoesNotMoveTheRevision() {
    put("a", "1");
    DeleteRangeResponse r = await(store.deleteRange(DeleteRangeRequest.key(b("missing"))));
    assertThat(r.deleted()).isZero();
    assertThat(r.revision()).isEqualTo(2);
    assertThat(store.currentRevision()).isEqualTo(2);
  }

  @Test
  void putReturnsThePreviousKeyValueOnlyWhenAsked() {
    put("a", "1");
    PutResponse without = put("a", "2");
    assertThat(without.prevKv()).isNull();
    PutResponse with = await(store.put(new PutRequest(b("a"), b("3"), 0, true, false, false)));
    assertThat(s(with.prevKv().value())).isEqualTo("2");
    assertThat(with.prevKv().modRevision()).isEqualTo(3);
    PutResponse fresh = await(store.put(new PutRequest(b("new"), b("x"), 0, true, false, false)));
    assertThat(fresh.prevKv()).isNull();
  }

  @Test
  void ignoreValueKeepsTheValueAndNeedsAnExistingKey() {
    put("a", "1");
    await(store.put(new PutRequest(b("a"), new byte[0], 0, false, true, false)));
    KeyValue a = get(RangeRequest.key(b("a"))).kvs().get(0);
    assertThat(s(a.value())).isEqualTo("1");
    assertThat(a.version()).isEqualTo(2);

    StoreException missing = failure(store.put(new PutRequest(b("b"), new byte[0], 0, false, true, false)));
    assertThat(missing.code()).isEqualTo(StoreException.Code.KEY_NOT_FOUND);
    StoreException both = failure(store.put(new PutRequest(b("a"), b("v"), 0, false, true, false)));
    assertThat(both.code()).isEqualTo(StoreException.Code.VALUE_PROVIDED);
    assertThat(store.currentRevision()).isEqualTo(3);
  }

  @Test
  void ignoreLeaseKeepsTheLease() {
    long lease = await(store.leaseGrant(60, 0)).id();
    await(store.put(new PutRequest(b("a"), b("1"), lease, false, false, false)));
    await(store.put(new PutRequest(b("a"), b("2"), 0, false, false, true)));
    assertThat(get(RangeRequest.key(b("a"))).kvs().get(0).lease()).isEqualTo(lease);
    StoreException both = failure(store.put(new PutRequest(b("a"), b("3"), lease, false, false, true)));
    assertThat(both.code()).isEqualTo(StoreException.Code.LEASE_PROVIDED);
  }

  @Test
  void rangesCoverSingleKeysPrefixesHalfOpenIntervalsAndFromKey() {
    for (String k : new String[] {"a", "ab", "abc", "b", "ba", "c"}) {
      put(k, k);
    }
    assertThat(keys(get(RangeRequest.key(b("ab"))).kvs())).containsExactly("ab");
    assertThat(keys(get(RangeRequest.prefix(b("ab"))).kvs())).containsExactly("ab", "abc");
    assertThat(keys(get(new RangeRequest(b("ab"), b("ba"), 0, 0, false, false, false)).kvs()))
        .containsExactly("ab", "abc", "b");
    assertThat(keys(get(new RangeRequest(b("b"), KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false)).kvs()))
        .containsExactly("b", "ba", "c");
    assertThat(keys(get(new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false)).kvs()))
        .containsExactly("a", "ab", "abc", "b", "ba", "c");
    assertThat(get(new RangeRequest(b("c"), b("a"), 0, 0, false, false, false)).kvs()).isEmpty();
  }

  @Test
  void keysCompareAsUnsignedBytes() {
    await(store.put(PutRequest.of(new byte[] {(byte) 0xff}, b("high"))));
    put("z", "low");
    RangeResponse all = get(new RangeRequest(b("a"), KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false));
    assertThat(all.kvs()).extracting(kv -> s(kv.value())).containsExactly("low", "high");
    assertThat(KeyRanges.prefixEnd(new byte[] {(byte) 0xff})).isEqualTo(KeyRanges.ALL_FROM_KEY);
  }

  @Test
  void limitCutsTheResultButCountStaysTheWholeRange() {
    for (int i = 0; i < 5; i++) {
      put("k" + i, "v");
    }
    RangeResponse limited = get(RangeRequest.prefix(b("k")).withLimit(2));
    assertThat(keys(limited.kvs())).containsExactly("k0", "k1");
    assertThat(limited.more()).isTrue();
    assertThat(limited.count()).isEqualTo(5);
    RangeResponse exact = get(RangeRequest.prefix(b("k")).withLimit(5));
    assertThat(exact.more()).isFalse();
  }

  @Test
  void keysOnlyLeavesValuesEmptyAndCountOnlyLeavesKvsEmpty() {
    put("a", "value");
    RangeResponse keysOnly = get(new RangeRequest(b("a"), KeyRanges.NONE, 0, 0, true, false, false));
    assertThat(keysOnly.kvs().get(0).value()).isEmpty();
    assertThat(keysOnly.kvs().get(0).version()).isEqualTo(1);
    RangeResponse countOnly = get(new RangeRequest(b("a"), b("b"), 0, 0, false, true, false));
    assertThat(countOnly.kvs()).isEmpty();
    assertThat(countOnly.count()).isEqualTo(1);
    assertThat(countOnly.more()).isFalse();
  }

  @Test
  void readsAtAPastRevisionSeeTheStoreAsItWasThen() {
    put("a", "1");          // 2
    put("b", "1");          // 3
    put("a", "2");          // 4
    await(store.deleteRange(DeleteRangeRequest.key(b("b"))));  // 5
    RangeResponse at3 = get(everything().atRevision(3));
    assertThat(at3.kvs()).extracting(kv -> s(kv.key()) + "=" + s(kv.value())).containsExactly("a=1", "b=1");
    assertThat(at3.revision()).isEqualTo(5);
    RangeResponse at4 = get(everything().atRevision(4));
    assertThat(at4.kvs()).extracting(kv -> s(kv.key()) + "=" + s(kv.value())).containsExactly("a=2", "b=1");
    assertThat(get(everything().atRevision(5)).kvs()).hasSize(1);
    assertThat(get(RangeRequest.key(b("a")).atRevision(1)).kvs()).isEmpty();
  }

  @Test
  void readingAFutureRevisionFails() {
    put("a", "1");
    StoreException e = failure(store.range(RangeRequest.key(b("a")).atRevision(3)));
    assertThat(e.code()).isEqualTo(StoreException.Code.FUTURE_REVISION);
  }

  @Test
  void deleteRangeReturnsPreviousKeyValuesWhenAsked() {
    put("p/1", "a");
    put("p/2", "b");
    put("q", "c");
    DeleteRangeResponse r = await(store.deleteRange(
        new DeleteRangeRequest(b("p/"), KeyRanges.prefixEnd(b("p/")), true)));
    assertThat(r.deleted()).isEqualTo(2);
    assertThat(r.prevKvs()).extracting(kv -> s(kv.value())).containsExactly("a", "b");
    assertThat(r.revision()).isEqualTo(5);
    assertThat(keys(get(new RangeRequest(new byte[] {0}, KeyRanges.ALL_FROM_KEY, 0, 0, false, false, false)).kvs()))
        .containsExactly("q");
  }

  @Test
  void anEmptyKeyIsRefusedEverywhere() {
    assertThat(failure(store.put(PutRequest.of(new byte[0], b("v")))).code())
        .isEqualTo(StoreException.Code.EMPTY_KEY);
    assertThat(failure(store.range(RangeRequest.key(new byte[0]))).code()).isEqualTo(StoreException.Code.EMPTY_KEY);
    assertThat(failure(store.deleteRange(DeleteRangeRequest.key(new byte[0]))).code())
        .isEqualTo(StoreException.Code.EMPTY_KEY);
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void aRequestLargerThanOneAndAHalfMebibytesIsRefusedAndChangesNothing() {
    byte[] big = new byte[MvccKeyValueStore.MAX_REQUEST_BYTES];
    StoreException e = failure(store.put(PutRequest.of(b("big"), big)));
    assertThat(e.code()).isEqualTo(StoreException.Code.REQUEST_TOO_LARGE);
    assertThat(store.currentRevision()).isEqualTo(1);
    byte[] fits = new byte[MvccKeyValueStore.MAX_REQUEST_BYTES - 100];
    assertThat(await(store.put(PutRequest.of(b("big"), fits))).revision()).isEqualTo(2);
  }

  @Test
  void aClosedStoreRefusesWrites() {
    store.close();
    assertThat(failure(store.put(PutRequest.of(b("a"), b("1")))).code()).isEqualTo(StoreException.Code.STOPPED);
  }
}
