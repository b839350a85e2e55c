package dev.tugboat.control.store.mvcc;

import dev.tugboat.control.store.StoreException;
import java.util.concurrent.CompletableFuture;

/**
 * A single member with nothing to agree with: each command is applied at once, in call order, with the next index.
 * Not durable: in-memory stores and tests; durable stores propose through Raft ({@code replication.RaftProposer}).
 */
public final class DirectProposer implements Proposer {

  private final StoreStateMachine stateMachine;
  private long lastIndex;
  private volatile boolean closed;

  public DirectProposer(StoreStateMachine stateMachine) {
    this.stateMachine = stateMachine;
    this.lastIndex = stateMachine.appliedIndex();
  }

  @Override
  public synchronized CompletableFuture<Object> propose(byte[] command) {
    if (closed) {
      return CompletableFuture.failedFuture(new StoreException(StoreException.Code.STOPPED, "store is closed"));
    }
    return complete(stateMachine.apply(++lastIndex, command));
  }

  /** Completes a proposal with an apply result: a returned StoreException fails it. */
  static CompletableFuture<Object> complete(Object result) {
    return result instanceof StoreException e ? CompletableFuture.failedFuture(e)
        : CompletableFuture.completedFuture(result);
  }

  @Override
  public CompletableFuture<Void> readBarrier() {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean isLeader() {
    return true;
  }

  @Override
  public long term() {
    return 1;
  }

  @Override
  public void close() {
    closed = true;
  }
}
