package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.Membership;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The members of a replicated store as etcd's Cluster service shows them: the initial cluster, with the leader the
 * Raft node knows. Membership changes are not offered yet (the Raft core supports them; the store does not propose
 * them), so they fail with that reason.
 */
public final class ClusterMembership implements Membership {
  private final ReplicatedStoreConfig config;
  private final RaftNode node;
  private final List<Member> members;

  public ClusterMembership(ReplicatedStoreConfig config, RaftNode node) {
    this.config = config;
    this.node = node;
    List<Member> list = new ArrayList<>();
    Map<String, Long> ids = config.memberIds();
    config.initialCluster().forEach((name, peerUrls) -> list.add(new Member(ids.get(name), name, peerUrls,
        name.equals(config.name()) ? config.advertiseClientUrls() : List.of(), false)));
    this.members = List.copyOf(list);
  }

  @Override
  public long clusterId() {
    return config.clusterId();
  }

  @Override
  public long memberId() {
    return config.memberId();
  }

  @Override
  public long leaderId() {
    return node.leader();
  }

  @Override
  public List<Member> members() {
    return members;
  }

  @Override
  public CompletableFuture<Member> add(List<String> peerUrls, boolean learner) {
    return unsupported("member add");
  }

  @Override
  public CompletableFuture<List<Member>> remove(long id) {
    return unsupported("member remove");
  }

  @Override
  public CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
    return unsupported("member update");
  }

  @Override
  public CompletableFuture<List<Member>> promote(long id) {
    return unsupported("member promote");
  }

  private static <T> CompletableFuture<T> unsupported(String what) {
    return CompletableFuture.failedFuture(new StoreException(StoreException.Code.INVALID_ARGUMENT,
        what + ": membership changes are not supported yet; the cluster is the one --initial-cluster names"));
  }
}
