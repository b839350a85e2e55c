package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.LeaseGrant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When leases expire, as the leader sees it. This is the one part of leases that reads a clock, so it stays out of
 * the replicated state: the leader renews leases here on keep-alive and proposes a revoke for each lease past its
 * deadline. A lease this member has no deadline for (it was just granted, or this member just became leader) counts
 * as renewed now, as in etcd.
 */
public final class LeaseExpiry {

  private final LongSupplier nanoTime;
  private final Map<Long, Long> deadlines = new ConcurrentHashMap<>();
  private final Set<Long> revoking = ConcurrentHashMap.newKeySet();

  public LeaseExpiry(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Renews the lease for {@code ttlSeconds} from now; returns the TTL. */
  public long renew(long id, long ttlSeconds) {
    deadlines.put(id, nanoTime.getAsLong() + ttlSeconds * 1_000_000_000L);
    return ttlSeconds;
  }

  /** Whole seconds left (rounded up, 0 when past the deadline). */
  public long remainingSeconds(long id, long ttlSeconds) {
    long deadline = deadlines.computeIfAbsent(id, k -> nanoTime.getAsLong() + ttlSeconds * 1_000_000_000L);
    long left = deadline - nanoTime.getAsLong();
    return left <= 0 ? 0 : (left + 999_999_999L) / 1_000_000_000L;
  }

  /**
   * The leases of {@code current} (the replicated lease set) past their deadline and not already being revoked;
   * they are marked as being revoked until {@link #revokeFinished}. Forgets leases no longer in {@code current}.
   */
  public List<Long> expired(List<LeaseGrant> current) {
    long now = nanoTime.getAsLong();
    Set<Long> ids = new HashSet<>();
    List<Long> expired = new ArrayList<>();
    for (LeaseGrant lease : current) {
      ids.add(lease.id());
      long deadline = deadlines.computeIfAbsent(lease.id(), k -> now + lease.ttlSeconds() * 1_000_000_000L);
      if (deadline - now <= 0 && revoking.add(lease.id())) {
        expired.add(lease.id());
      }
    }
    deadlines.keySet().retainAll(ids);
    return expired;
  }

  /** The revoke proposed for {@code id} ended (applied or failed: if the lease is still there, it is retried). */
  public void revokeFinished(long id) {
    revoking.remove(id);
  }

  /** This member stopped being leader: a future term starts every lease afresh. */
  public void forgetAll() {
    deadlines.clear();
  }
}
