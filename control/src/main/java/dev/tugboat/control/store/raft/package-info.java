/**
 * The Raft consensus core: a pure, deterministic state machine in the style of etcd-io/raft.
 *
 * <p>{@link dev.tugboat.control.store.raft.RaftCore} has no I/O, clock, threads or hidden randomness. The driver
 * (package {@code dev.tugboat.control.store.replication}) feeds it network messages with
 * {@link dev.tugboat.control.store.raft.RaftCore#step}, logical clock ticks with
 * {@link dev.tugboat.control.store.raft.RaftCore#tick}, and client requests with {@code propose}, {@code readIndex},
 * {@code proposeConfChange} and {@code transferLeadership}. It then takes a
 * {@link dev.tugboat.control.store.raft.Ready} batch, does what each of its fields says, in the order the fields
 * say, and acknowledges the batch with {@link dev.tugboat.control.store.raft.RaftCore#advance}.
 *
 * <p>The durable log lives behind {@link dev.tugboat.control.store.raft.Storage}, which the driver implements
 * (Chronicle Queue in production, {@link dev.tugboat.control.store.raft.MemoryStorage} in tests and simulation).
 *
 * <p>Node ids are positive longs; {@link dev.tugboat.control.store.raft.RaftCore#NONE} (0) means "no node".
 */
package dev.tugboat.control.store.raft;
