package dev.tugboat.control.store.mvcc;

import java.util.List;

/**
 * Which branch a transaction takes, and the paths of the transactions nested in that branch (in op order).
 * etcd decides every compare, nested ones included, against the state before the transaction writes anything.
 */
record TxnPath(boolean succeeded, List<TxnPath> nested) {}
