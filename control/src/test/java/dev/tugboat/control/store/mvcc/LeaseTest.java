package dev.tugboat.control.store.mvcc;

import static dev.tugboat.control.store.mvcc.StoreTesting.await;
import static dev.tugboat.control.store.mvcc.StoreTesting.b;
import static dev.tugboat.control.store.mvcc.StoreTesting.failure;
import static dev.tugboat.control.store.mvcc.StoreTesting.s;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.LeaseTimeToLive;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.mvcc.StoreTesting.RecordingListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LeaseTest {

  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory();

  @AfterEach
  void close() {
    store.close();
  }

  private void putWithLease(String key, long lease) {
    await(store.put(new PutRequest(b(key), b("v"), lease, false, false, false)));
  }

  @Test
  void grantChoosesAnIdOrTakesTheGivenOne() {
    LeaseGrant chosen = await(store.leaseGrant(30, 0));
    assertThat(chosen.id()).isPositive();
    assertThat(chosen.ttlSeconds()).isEqualTo(30);
    assertThat(await(store.leaseGrant(30, 42)).id()).isEqualTo(42);
    assertThat(failure(store.leaseGrant(30, 42)).code()).isEqualTo(StoreException.Code.LEASE_EXISTS);
    assertThat(await(store.leases())).extracting(LeaseGrant::id).contains(42L, chosen.id());
  }

  @Test
  void aTtlAboveEtcdsMaximumIsRefused() {
    assertThat(failure(store.leaseGrant(9_000_000_001L, 0)).code())
        .isEqualTo(StoreException.Code.LEASE_TTL_TOO_LARGE);
  }

  @Test
  void revokeDeletesTheAttachedKeysAtOneRevision() {
    long lease = await(store.leaseGrant(60, 0)).id();
    putWithLease("a", lease);  // 2
    putWithLease("b", lease);  // 3
    await(store.put(PutRequest.of(b("c"), b("kept"))));  // 4
    RecordingListener listener = new RecordingListener();
    store.watch(new WatchRequest(new byte[] {0}, new byte[] {0}, 0, false, false, false, false), listener);
    await(store.leaseRevoke(lease));
    assertThat(store.currentRevision()).isEqualTo(5);
    assertThat(listener.next(2)).containsExactly("5 DELETE a", "5 DELETE b");
    var left = await(store.range(new RangeRequest(new byte[] {0}, new byte[] {0}, 0, 0, false, false, false)));
    assertThat(left.kvs()).extracting(kv -> s(kv.key())).containsExactly("c");
  }

  @Test
  void aKeyMovedToAnotherLeaseOrDeletedLeavesTheOldLease() {
    long first = await(store.leaseGrant(60, 0)).id();
    long second = await(store.leaseGrant(60, 0)).id();
    putWithLease("a", first);
    putWithLease("b", first);
    putWithLease("a", second);
    await(store.deleteRange(dev.tugboat.control.store.DeleteRangeRequest.key(b("b"))));
    LeaseTimeToLive ttl = await(store.leaseTimeToLive(first, true));
    assertThat(ttl.keys()).isEmpty();
    await(store.leaseRevoke(first));
    assertThat(s(await(store.range(RangeRequest.key(b("a")))).kvs().get(0).value())).isEqualTo("v");
  }

  @Test
  void timeToLiveReportsGrantedTtlKeysAndMinusOneForUnknownLeases() {
    long lease = await(store.leaseGrant(60, 0)).id();
    putWithLease("a", lease);
    LeaseTimeToLive ttl = await(store.leaseTimeToLive(lease, true));
    assertThat(ttl.grantedTtlSeconds()).isEqualTo(60);
    assertThat(ttl.ttlSeconds()).isBetween(1L, 60L);
    assertThat(ttl.keys()).extracting(StoreTesting::s).containsExactly("a");
    LeaseTimeToLive unknown = await(store.leaseTimeToLive(777, false));
    assertThat(unknown.ttlSeconds()).isEqualTo(-1);
  }

  @Test
  void unknownLeasesAreRefusedByPutKeepAliveAndRevoke() {
    assertThat(failure(store.put(new PutRequest(b("a"), b("v"), 777, false, false, false))).code())
        .isEqualTo(StoreException.Code.LEASE_NOT_FOUND);
    assertThat(failure(store.leaseKeepAlive(777)).code()).isEqualTo(StoreException.Code.LEASE_NOT_FOUND);
    assertThat(failure(store.leaseRevoke(777)).code()).isEqualTo(StoreException.Code.LEASE_NOT_FOUND);
  }

  @Test
  void keepAliveRenewsForTheGrantedTtl() {
    long lease = await(store.leaseGrant(60, 0)).id();
    assertThat(await(store.leaseKeepAlive(lease))).isEqualTo(60);
  }

  @Test
  void anExpiredLeaseIsRevokedByTheLeaderAndItsKeysGo() {
    long lease = await(store.leaseGrant(1, 0)).id();
    putWithLease("a", lease);
    RecordingListener listener = new RecordingListener();
    store.watch(WatchRequest.prefix(b("a"), 0), listener);
    assertThat(listener.next(1)).containsExactly("3 DELETE a");
    assertThat(await(store.leaseTimeToLive(lease, false)).ttlSeconds()).isEqualTo(-1);
  }

  @Test
  void expiryFollowsTheLeadersClockOnly() {
    AtomicLong now = new AtomicLong();
    LeaseExpiry expiry = new LeaseExpiry(now::get);
    List<LeaseGrant> leases = List.of(new LeaseGrant(1, 10), new LeaseGrant(2, 20));
    assertThat(expiry.expired(leases)).isEmpty();
    now.set(10_000_000_000L);
    assertThat(expiry.expired(leases)).containsExactly(1L);
    assertThat(expiry.expired(leases)).as("a revoke in flight is not proposed twice").isEmpty();
    expiry.renew(2, 20);
    now.set(25_000_000_000L);
    assertThat(expiry.remainingSeconds(2, 20)).isEqualTo(5);
    assertThat(expiry.expired(leases)).isEmpty();
    expiry.revokeFinished(1);
    assertThat(expiry.expired(leases)).containsExactly(1L);
    expiry.forgetAll();
    assertThat(expiry.remainingSeconds(2, 20)).as("a new leader starts every lease afresh").isEqualTo(20);
  }
}
