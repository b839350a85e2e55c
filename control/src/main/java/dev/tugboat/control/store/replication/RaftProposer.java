package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.mvcc.Proposer;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import java.util.concurrent.CompletableFuture;

/** The store's commands go through Raft: committed on a quorum, applied in log order on every member. */
public final class RaftProposer implements Proposer {
  private final RaftNode node;

  public RaftProposer(RaftNode node) {
    this.node = node;
  }

  @Override
  public CompletableFuture<Object> propose(byte[] command) {
    return node.propose(command);
  }

  @Override
  public int headerBytes() {
    return RaftNode.PROPOSAL_HEADER;
  }

  @Override
  public CompletableFuture<Object> proposeFramed(byte[] framed) {
    return node.proposeFramed(framed);
  }

  @Override
  public CompletableFuture<Void> readBarrier() {
    return node.readBarrier();
  }

  @Override
  public boolean isLeader() {
    return node.isLeader();
  }

  @Override
  public long term() {
    return node.term();
  }

  @Override
  public CompletableFuture<Backup> captureBackup(StoreStateMachine stateMachine) {
    // the Raft index, not the state machine's: membership entries advance the one and not the other
    return node.captureAtApplied(index -> new Backup(index, stateMachine.captureSnapshot()));
  }

  @Override
  public void close() {
    node.close();
  }
}
