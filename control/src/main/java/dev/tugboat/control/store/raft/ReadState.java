package dev.tugboat.control.store.raft;

/**
 * The answer to {@link RaftCore#readIndex}: once this member has applied {@code index}, a read of its state machine
 * is linearizable for the request identified by {@code requestContext}.
 */
public record ReadState(long index, byte[] requestContext) {
}
