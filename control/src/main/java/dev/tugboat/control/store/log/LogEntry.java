package dev.tugboat.control.store.log;

/**
 * One Raft log entry as the log stores it: {@code type} is the Raft core's entry type (normal, configuration change),
 * opaque to the log; {@code data} is never null.
 */
public record LogEntry(long index, long term, int type, byte[] data) {}
