package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.etcd.api.ResponseHeader;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;

/** Every etcd response's header: which cluster and member answered, at which revision and Raft term. */
final class ResponseHeaders {

  private final Membership membership;
  private final MvccKeyValueStore store;

  ResponseHeaders(Membership membership, MvccKeyValueStore store) {
    this.membership = membership;
    this.store = store;
  }

  ResponseHeader at(long revision) {
    return ResponseHeader.newBuilder().setClusterId(membership.clusterId()).setMemberId(membership.memberId())
        .setRevision(revision).setRaftTerm(store.proposer().term()).build();
  }

  ResponseHeader current() {
    return at(store.currentRevision());
  }
}
