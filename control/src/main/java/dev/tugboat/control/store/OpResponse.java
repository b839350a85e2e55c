package dev.tugboat.control.store;

/** The response to one {@link Op} (etcd's {@code ResponseOp}); {@code revision} is the store revision it saw or made. */
public sealed interface OpResponse permits RangeResponse, PutResponse, DeleteRangeResponse, TxnResponse {
  long revision();
}
