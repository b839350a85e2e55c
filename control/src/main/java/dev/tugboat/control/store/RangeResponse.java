package dev.tugboat.control.store;

import java.util.List;

/** {@code count} is the number of keys in the range, even when {@code kvs} was cut short by a limit ({@code more}). */
public record RangeResponse(long revision, List<KeyValue> kvs, boolean more, long count) implements OpResponse {}
