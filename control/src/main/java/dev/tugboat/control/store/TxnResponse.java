package dev.tugboat.control.store;

import java.util.List;

public record TxnResponse(long revision, boolean succeeded, List<OpResponse> responses) implements OpResponse {}
