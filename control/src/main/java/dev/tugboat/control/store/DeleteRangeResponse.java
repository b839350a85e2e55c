package dev.tugboat.control.store;

import java.util.List;

public record DeleteRangeResponse(long revision, long deleted, List<KeyValue> prevKvs) implements OpResponse {}
