package dev.tugboat.control.store;

/** One key at one revision, as etcd's {@code mvccpb.KeyValue}. {@code value} is empty (not null) for keys-only reads. */
public record KeyValue(byte[] key, byte[] value, long createRevision, long modRevision, long version, long lease) {}
