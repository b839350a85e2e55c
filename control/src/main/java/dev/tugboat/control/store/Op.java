package dev.tugboat.control.store;

/** A request that may stand inside a transaction (etcd's {@code RequestOp}). */
public sealed interface Op permits RangeRequest, PutRequest, DeleteRangeRequest, TxnRequest {}
