package dev.tugboat.control.store.mvcc;

import java.util.concurrent.CompletableFuture;

/**
 * Orders store commands: every command it accepts is applied, in one order on every member, by
 * {@link StoreStateMachine#apply}. A single member applies directly ({@link DirectProposer}); a cluster plugs Raft in.
 */
public interface Proposer extends AutoCloseable {

  /**
   * Proposes an encoded {@code StoreCommand}. Completes with what {@link StoreStateMachine#apply} returned for it
   * once it is committed and applied on this member; when apply returned a {@code StoreException}, completes
   * exceptionally with it. Fails with {@code StoreException} (NO_LEADER, TIMEOUT, STOPPED) if it cannot be committed.
   */
  CompletableFuture<Object> propose(byte[] command);

  /**
   * How many bytes {@link #proposeFramed} wants free in front of a command, for a header of its own: 0 for a
   * proposer that frames nothing.
   */
  default int headerBytes() {
    return 0;
  }

  /**
   * {@link #propose} of the command that starts at {@link #headerBytes()} in {@code framed}: the proposer writes its
   * header into the bytes in front, so that the command is not copied to prepend it. {@code framed} is the
   * proposer's from then on.
   */
  default CompletableFuture<Object> proposeFramed(byte[] framed) {
    return propose(framed);
  }

  /**
   * Completes once this member has applied every command committed before the call (Raft's ReadIndex), so a read
   * served afterwards from the local state is linearizable.
   */
  CompletableFuture<Void> readBarrier();

  /** Whether this member decides lease expiry (the Raft leader; always true for a single member). */
  boolean isLeader();

  /** The current Raft term, reported in response headers (1 for a single member). */
  long term();

  /**
   * The whole state for etcd's Snapshot call, captured now and written later on any thread, with the index it is at
   * (etcd's consistent index). Without replication that is the state machine's own applied index.
   */
  default CompletableFuture<Backup> captureBackup(StoreStateMachine stateMachine) {
    CapturedState state = stateMachine.captureSnapshot();
    return CompletableFuture.completedFuture(new Backup(state.appliedIndex(), state));
  }

  /** A captured state and the log index it is at. */
  record Backup(long consistentIndex, CapturedState state) {}

  @Override
  void close();
}
