package dev.tugboat.control.store;

public record LeaseGrant(long id, long ttlSeconds) {}
