package dev.tugboat.control.store;

import java.util.List;

/** If every {@code compare} holds, applies {@code success}, else {@code failure}, atomically at one revision. */
public record TxnRequest(List<Compare> compare, List<Op> success, List<Op> failure) implements Op {}
