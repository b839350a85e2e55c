/**
 * The cluster store: an MVCC key-value store with the etcd v3 API's semantics.
 *
 * <p>{@link dev.tugboat.control.store.KeyValueStore} is the in-process form of the etcd v3 API: the API server calls
 * it directly, the gRPC service adapts it for etcdctl and jetcd. Its records mirror the etcd messages of the same
 * names (rpc.proto, kv.proto) field for field, so the two never drift apart in meaning.
 */
package dev.tugboat.control.store;
