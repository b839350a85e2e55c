package dev.tugboat.control.store;

import java.util.concurrent.CompletableFuture;

/**
 * The etcd v3 KV, Watch and Lease API in-process. Futures complete once the request is committed and applied
 * (writes: durable on a quorum), or fail with {@link StoreException}. Reads are linearizable unless
 * {@link RangeRequest#serializable()}. Implementations are thread-safe.
 */
public interface KeyValueStore extends AutoCloseable {

  CompletableFuture<RangeResponse> range(RangeRequest request);

  CompletableFuture<PutResponse> put(PutRequest request);

  CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request);

  CompletableFuture<TxnResponse> txn(TxnRequest request);

  /** Drops history before {@code revision}; returns the store revision after compaction. */
  CompletableFuture<Long> compact(long revision);

  /** Starts a watch; events from {@code startRevision} on go to {@code listener} until it is cancelled or ends. */
  Watch watch(WatchRequest request, WatchListener listener);

  /** Grants a lease; {@code id == 0} lets the store choose one. */
  CompletableFuture<LeaseGrant> leaseGrant(long ttlSeconds, long id);

  /** Revokes a lease and deletes every key attached to it. */
  CompletableFuture<Void> leaseRevoke(long id);

  /** Renews a lease; returns its new time-to-live in seconds. */
  CompletableFuture<Long> leaseKeepAlive(long id);

  CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long id, boolean withKeys);

  /** The newest revision this member has applied. */
  long currentRevision();

  /** The revision before which history has been compacted away (0 if never compacted). */
  long compactRevision();

  @Override
  void close();
}
