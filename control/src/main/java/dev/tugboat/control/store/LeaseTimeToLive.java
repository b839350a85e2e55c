package dev.tugboat.control.store;

import java.util.List;

/** {@code ttlSeconds} is -1 when the lease has expired or never existed. */
public record LeaseTimeToLive(long id, long ttlSeconds, long grantedTtlSeconds, List<byte[]> keys) {}
