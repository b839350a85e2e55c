package dev.tugboat.control.store.etcd;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The store's members, as etcd's Cluster service shows and changes them. A single member answers for itself
 * ({@link SingleMemberCluster}); the replicated store changes membership through Raft.
 */
public interface Membership {

  record Member(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {}

  long clusterId();

  /** This member's id. */
  long memberId();

  /** The member this one believes leads (0 if none). */
  long leaderId();

  List<Member> members();

  /** Whether this member is a learner now (etcd serves a learner's clients only serializable reads and status). */
  boolean learner();

  CompletableFuture<Member> add(List<String> peerUrls, boolean learner);

  CompletableFuture<List<Member>> remove(long id);

  CompletableFuture<List<Member>> update(long id, List<String> peerUrls);

  CompletableFuture<List<Member>> promote(long id);
}
