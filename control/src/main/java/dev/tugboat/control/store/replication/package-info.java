/**
 * Replication of the store: {@link dev.tugboat.control.store.replication.RaftNode} runs the Raft core on one thread
 * over the durable log (persist with one fsync, then send, then apply, then serve ReadIndex reads),
 * {@link dev.tugboat.control.store.replication.PeerTransport} carries
 * {@link dev.tugboat.control.store.replication.MessageCodec}-encoded messages between members over Netty, and
 * {@link dev.tugboat.control.store.replication.ReplicatedStore} puts the MVCC state machine behind them for
 * {@code tug store} with several members.
 */
package dev.tugboat.control.store.replication;
