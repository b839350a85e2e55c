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
 *
 * <p>The driver loop, on one thread:
 * <pre>{@code
 * every tick interval:         core.tick()
 * on a message from the wire:  core.step(message)
 * on a client request:         core.propose(data) / core.readIndex(requestId)   (ProposalDroppedException: retry elsewhere)
 * while (core.hasReady()) {
 *     Ready rd = core.ready();
 *     transport: send rd.earlyMessages() (a leader's appends: its followers persist while it does)
 *     storage: save rd.snapshot(), append rd.entries(), save rd.hardState()   (fsync if rd.mustSync())
 *     transport: send rd.messages(); report each SNAPSHOT's outcome with core.reportSnapshot(to, status)
 *     state machine: install rd.snapshot(), apply rd.committedEntries() (skipping indexes it already holds)
 *     reads: answer each rd.readStates() request once the state machine has applied its index
 *     core.advance(rd);
 * }
 * }</pre>
 *
 * <p>Obligations of the driver beyond the Ready contract:
 * <ul>
 *   <li>A new cluster's initial members start with {@link dev.tugboat.control.store.raft.Bootstrap#entries} and
 *       {@link dev.tugboat.control.store.raft.Bootstrap#hardState} in their storage; members that join later start
 *       empty, then are added with {@code proposeConfChange}.</li>
 *   <li>After a restart the core hands out again every committed entry after the storage's snapshot: a durable state
 *       machine skips those it already applied, by index.</li>
 *   <li>A proposal forwarded by a follower can reach the log twice if the transport duplicates the PROPOSE message;
 *       either the transport never duplicates or commands carry an id the state machine applies at most once.</li>
 *   <li>Snapshots are made by the application ({@code MemoryStorage.createSnapshot} then {@code compact} in the
 *       model), with {@link dev.tugboat.control.store.raft.RaftCore#confState()} as the configuration, right after
 *       an {@code advance}.</li>
 *   <li>A SNAPSHOT message carries what {@link dev.tugboat.control.store.raft.Storage#snapshot()} gives: a storage that
 *       keeps its snapshots on disk gives the metadata alone, and the transport moves the data beside the message. The
 *       receiver steps the message only once the data is whole and checked, since installing it is a Ready away.</li>
 * </ul>
 */
package dev.tugboat.control.store.raft;
