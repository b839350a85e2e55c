package dev.tugboat.control.store.raft;

/** Volatile state worth telling the driver about (who leads, what this member is); never needs persisting. */
public record SoftState(long leader, StateRole role) {
}
