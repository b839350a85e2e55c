package dev.tugboat.control.store.mvcc;

import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The replicated part of leases: which leases exist, their granted TTL, and the keys attached to each.
 * When a lease expires is not here: that is decided by the leader's {@link LeaseExpiry}, which proposes revokes,
 * so applying the same commands always gives the same leases.
 */
final class LeaseTable {

  static final class Lease {
    final long id;
    final long ttlSeconds;
    final TreeSet<byte[]> keys = new TreeSet<>(KeySpace.KEY_ORDER);

    Lease(long id, long ttlSeconds) {
      this.id = id;
      this.ttlSeconds = ttlSeconds;
    }
  }

  private final TreeMap<Long, Lease> leases = new TreeMap<>();

  Lease get(long id) {
    return leases.get(id);
  }

  boolean contains(long id) {
    return leases.containsKey(id);
  }

  Lease grant(long id, long ttlSeconds) {
    Lease lease = new Lease(id, ttlSeconds);
    leases.put(id, lease);
    return lease;
  }

  /** Removes the lease; returns its keys (which the caller deletes). */
  List<byte[]> revoke(long id) {
    Lease lease = leases.remove(id);
    return lease == null ? List.of() : List.copyOf(lease.keys);
  }

  void attach(long id, byte[] key) {
    if (id != 0) {
      leases.get(id).keys.add(key);
    }
  }

  void detach(long id, byte[] key) {
    Lease lease = id == 0 ? null : leases.get(id);
    if (lease != null) {
      lease.keys.remove(key);
    }
  }

  Collection<Lease> all() {
    return leases.values();
  }

  void clear() {
    leases.clear();
  }
}
