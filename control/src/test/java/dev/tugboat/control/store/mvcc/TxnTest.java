package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.await;
import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.failure;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.Compare.Result;
import dev.tugboat.control.store.Compare.Target;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyRanges;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TxnTest {

  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  private void put(String key, String value) {
    await(store.put(PutRequest.of(b(key), b(value))));
  }

  private TxnResponse txn(List<Compare> compare, List<Op> success, List<Op> failure) {
    return await(store.txn(new TxnRequest(compare, success, failure)));
  }

  private boolean holds(Compare compare) {
    return txn(List.of(compare), List.of(), List.of()).succeeded();
  }

  private String value(String key) {
    RangeResponse r = await(store.range(RangeRequest.key(b(key))));
    return r.kvs().isEmpty() ? null : s(r.kvs().get(0).value());
  }

  @Test
  void compareOnModRevisionIsTheOptimisticLockOfTheApiServer() {
    put("a", "1");  // rev 2
    TxnResponse stale = txn(List.of(Compare.modRevision(b("a"), Result.EQUAL, 1)),
        List.of(PutRequest.of(b("a"), b("lost"))), List.of(RangeRequest.key(b("a"))));
    assertThat(stale.succeeded()).isFalse();
    assertThat(((RangeResponse) stale.responses().get(0)).kvs().get(0).modRevision()).isEqualTo(2);
    assertThat(stale.revision()).isEqualTo(2);

    TxnResponse fresh = txn(List.of(Compare.modRevision(b("a"), Result.EQUAL, 2)),
        List.of(PutRequest.of(b("a"), b("won"))), List.of());
    assertThat(fresh.succeeded()).isTrue();
    assertThat(fresh.revision()).isEqualTo(3);
    assertThat(((PutResponse) fresh.responses().get(0)).revision()).isEqualTo(3);
    assertThat(value("a")).isEqualTo("won");
  }

  @Test
  void createRevisionZeroMeansTheKeyDoesNotExist() {
    Compare absent = new Compare(b("a"), KeyRanges.NONE, Target.CREATE, Result.EQUAL, 0, null);
    assertThat(holds(absent)).isTrue();
    put("a", "1");
    assertThat(holds(absent)).isFalse();
    assertThat(holds(new Compare(b("a"), KeyRanges.NONE, Target.CREATE, Result.EQUAL, 2, null))).isTrue();
  }

  @Test
  void everyResultAndTargetCompares() {
    put("a", "m");  // create 2, mod 2, version 1
    put("a", "m");  // mod 3, version 2
    assertThat(holds(Compare.version(b("a"), Result.EQUAL, 2))).isTrue();
    assertThat(holds(Compare.version(b("a"), Result.GREATER, 1))).isTrue();
    assertThat(holds(Compare.version(b("a"), Result.LESS, 2))).isFalse();
    assertThat(holds(Compare.version(b("a"), Result.NOT_EQUAL, 2))).isFalse();
    assertThat(holds(Compare.modRevision(b("a"), Result.GREATER, 2))).isTrue();
    assertThat(holds(Compare.modRevision(b("a"), Result.LESS, 3))).isFalse();
    assertThat(holds(Compare.value(b("a"), Result.EQUAL, b("m")))).isTrue();
    assertThat(holds(Compare.value(b("a"), Result.GREATER, b("l")))).isTrue();
    assertThat(holds(Compare.value(b("a"), Result.LESS, b("n")))).isTrue();
    assertThat(holds(Compare.value(b("a"), Result.NOT_EQUAL, b("m")))).isFalse();
    assertThat(holds(new Compare(b("a"), KeyRanges.NONE, Target.LEASE, Result.EQUAL, 0, null))).isTrue();
  }

  @Test
  void valueComparesAreUnsignedAndFailOnAMissingKey() {
    await(store.put(PutRequest.of(b("a"), new byte[] {(byte) 0x80})));
    assertThat(holds(Compare.value(b("a"), Result.GREATER, new byte[] {0x7f}))).isTrue();
    assertThat(holds(Compare.value(b("missing"), Result.NOT_EQUAL, b("x")))).isFalse();
    assertThat(holds(Compare.version(b("missing"), Result.EQUAL, 0))).isTrue();
  }

  @Test
  void aRangeCompareMustHoldForEveryKeyInTheRange() {
    put("p/1", "x");
    put("p/2", "x");
    Compare allX = new Compare(b("p/"), KeyRanges.prefixEnd(b("p/")), Target.VALUE, Result.EQUAL, 0, b("x"));
    assertThat(holds(allX)).isTrue();
    put("p/3", "y");
    assertThat(holds(allX)).isFalse();
  }

  @Test
  void aTxnIsAtomicAtOneRevisionWithSubRevisionsInOrder() {
    put("gone", "1");
    TxnResponse r = txn(List.of(), List.of(PutRequest.of(b("b"), b("1")), PutRequest.of(b("a"), b("1")),
        DeleteRangeRequest.key(b("gone")), RangeRequest.key(b("a"))), List.of());
    assertThat(r.revision()).isEqualTo(3);
    RangeResponse readInside = (RangeResponse) r.responses().get(3);
    assertThat(readInside.kvs()).hasSize(1);
    assertThat(readInside.kvs().get(0).modRevision()).isEqualTo(3);
    assertThat(store.currentRevision()).isEqualTo(3);
  }

  @Test
  void aReadOnlyTxnDoesNotMoveTheRevision() {
    put("a", "1");
    TxnResponse r = txn(List.of(), List.of(RangeRequest.key(b("a"))), List.of());
    assertThat(r.revision()).isEqualTo(2);
    assertThat(store.currentRevision()).isEqualTo(2);
  }

  @Test
  void nestedTxnsDecideAgainstTheStateBeforeTheOuterWrites() {
    put("a", "1");  // mod 2
    TxnRequest inner = new TxnRequest(List.of(Compare.modRevision(b("a"), Result.EQUAL, 2)),
        List.of(PutRequest.of(b("inner"), b("saw-old-a"))), List.of(PutRequest.of(b("inner"), b("saw-new-a"))));
    TxnResponse r = txn(List.of(), List.of(PutRequest.of(b("a"), b("2")), inner), List.of());
    assertThat(((TxnResponse) r.responses().get(1)).succeeded()).isTrue();
    assertThat(((TxnResponse) r.responses().get(1)).revision()).isEqualTo(3);
    assertThat(value("inner")).isEqualTo("saw-old-a");
  }

  @Test
  void writingOneKeyTwiceInATxnIsAnErrorLikeEtcd() {
    StoreException twoPuts = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("a"), b("1")), PutRequest.of(b("a"), b("2"))), List.of())));
    assertThat(twoPuts.code()).isEqualTo(StoreException.Code.DUPLICATE_KEY);
    StoreException putAndDelete = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("p/a"), b("1")), new DeleteRangeRequest(b("p/"), KeyRanges.prefixEnd(b("p/")), false)),
        List.of())));
    assertThat(putAndDelete.code()).isEqualTo(StoreException.Code.DUPLICATE_KEY);
    StoreException nested = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("a"), b("1")),
            new TxnRequest(List.of(), List.of(PutRequest.of(b("a"), b("2"))), List.of())), List.of())));
    assertThat(nested.code()).isEqualTo(StoreException.Code.DUPLICATE_KEY);
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void theSameKeyInBothBranchesIsFine() {
    TxnResponse r = txn(List.of(Compare.version(b("a"), Result.EQUAL, 0)),
        List.of(PutRequest.of(b("a"), b("created"))), List.of(PutRequest.of(b("a"), b("updated"))));
    assertThat(r.succeeded()).isTrue();
    assertThat(value("a")).isEqualTo("created");
  }

  @Test
  void moreThan128OpsIsRefused() {
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      ops.add(PutRequest.of(b("k" + i), b("v")));
    }
    assertThat(failure(store.txn(new TxnRequest(List.of(), ops, List.of()))).code())
        .isEqualTo(StoreException.Code.TOO_MANY_OPS);
    assertThat(txn(List.of(), ops.subList(0, 128), List.of()).revision()).isEqualTo(2);
  }

  @Test
  void aPutWithAnUnknownLeaseFailsTheWholeTxnAndWritesNothing() {
    StoreException e = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("a"), b("1")), new PutRequest(b("b"), b("1"), 12345, false, false, false)),
        List.of())));
    assertThat(e.code()).isEqualTo(StoreException.Code.LEASE_NOT_FOUND);
    assertThat(value("a")).isNull();
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void aReadOfAFutureOrCompactedRevisionFailsTheWholeTxnBeforeAnythingIsWritten() {
    put("a", "1");
    put("a", "2");
    await(store.compact(3));
    StoreException future = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("b"), b("1")), RangeRequest.key(b("a")).atRevision(99)), List.of())));
    assertThat(future.code()).isEqualTo(StoreException.Code.FUTURE_REVISION);
    StoreException compacted = failure(store.txn(new TxnRequest(List.of(),
        List.of(PutRequest.of(b("b"), b("1")), RangeRequest.key(b("a")).atRevision(2)), List.of())));
    assertThat(compacted.code()).isEqualTo(StoreException.Code.COMPACTED);
    assertThat(value("b")).isNull();
    assertThat(store.currentRevision()).isEqualTo(3);
  }
}
