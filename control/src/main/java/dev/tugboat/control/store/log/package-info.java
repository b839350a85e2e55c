/**
 * A member's durable Raft state: {@link dev.tugboat.control.store.log.RaftLog}, the entries, hard state and
 * snapshot marker as CRC32C-checked records in a Chronicle queue (group-committed syncs, torn-tail recovery,
 * truncation and compaction as records); {@link dev.tugboat.control.store.log.SnapshotFiles}, the state machine
 * snapshots; {@link dev.tugboat.control.store.log.LogStorage}, both as the Raft core's
 * {@link dev.tugboat.control.store.raft.Storage}.
 */
package dev.tugboat.control.store.log;
