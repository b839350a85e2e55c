package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.Membership;
import dev.tugboat.control.store.etcd.api.ClusterGrpc;
import dev.tugboat.control.store.etcd.api.MemberPromoteRequest;
import dev.tugboat.control.store.etcd.api.MemberPromoteResponse;
import io.grpc.stub.StreamObserver;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The members of a replicated store as etcd's Cluster service shows and changes them: the replicated
 * {@link MemberList}, changed through Raft. A new member's id comes from its peer URLs and the cluster token (what
 * it derives itself when it starts with {@code --initial-cluster-state existing}); its name and client URLs are
 * empty until it starts and publishes them, as with etcd.
 */
public final class ClusterMembership implements Membership, AutoCloseable {
  private static final long PUBLISH_RETRY_MILLIS = 300;
  private static final long FORWARD_TIMEOUT_SECONDS = 10;

  private final ReplicatedStoreConfig config;
  private final RaftNode node;
  /**
   * Derived from the configuration with SHA-1 hashes, once: every response header carries it and every call asks
   * {@link #learner} by it. Derived per call there, it took 7% of a member's gRPC transport threads in check perf
   * (perf record, 2026-11-29).
   */
  private final long memberId;
  private volatile boolean closed;

  public ClusterMembership(ReplicatedStoreConfig config, RaftNode node) {
    this.config = config;
    this.node = node;
    this.memberId = config.memberId();
  }

  /** Publishes this member's name and client URLs into the member list, retrying until they are there. */
  void publish() {
    if (closed || node.removed().isDone()) {
      return;
    }
    Member self = node.memberList().get(memberId);
    if (self != null && self.name().equals(config.name()) && self.clientUrls().equals(config.advertiseClientUrls())) {
      return;
    }
    CompletableFuture<?> attempt = self == null ? CompletableFuture.completedFuture(null)
        : node.changeMembership(new MemberList.Change(MemberList.Kind.PUBLISH, config.memberId(), config.name(),
            null, List.copyOf(config.advertiseClientUrls())))
            .orTimeout(PUBLISH_RETRY_MILLIS * 4, TimeUnit.MILLISECONDS); // a leader may drop it: try again soon
    attempt.handle((ok, failed) -> null).thenRunAsync(this::publish,
        CompletableFuture.delayedExecutor(PUBLISH_RETRY_MILLIS, TimeUnit.MILLISECONDS));
  }

  @Override
  public long clusterId() {
    long learned = node.clusterId();
    return learned != 0 ? learned : config.clusterId();
  }

  @Override
  public long memberId() {
    return memberId;
  }

  @Override
  public long leaderId() {
    return node.leader();
  }

  @Override
  public boolean learner() {
    Member self = node.memberList().get(memberId);
    return self != null && self.learner();
  }

  @Override
  public List<Member> members() {
    return node.memberList().members();
  }

  @Override
  public CompletableFuture<Member> add(List<String> peerUrls, boolean learner) {
    StoreException bad = badUrls(peerUrls);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    long id = ReplicatedStoreConfig.memberId(peerUrls, config.clusterToken());
    return node.changeMembership(new MemberList.Change(learner ? MemberList.Kind.ADD_LEARNER
            : MemberList.Kind.ADD_MEMBER, id, "", List.copyOf(peerUrls), List.of()))
        .thenApply(members -> members.stream().filter(m -> m.id() == id).findFirst()
            .orElseThrow(() -> new StoreException(StoreException.Code.MEMBER_NOT_FOUND, "member not found")));
  }

  @Override
  public CompletableFuture<List<Member>> remove(long id) {
    return node.changeMembership(new MemberList.Change(MemberList.Kind.REMOVE, id, null, null, null));
  }

  @Override
  public CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
    StoreException bad = badUrls(peerUrls);
    if (bad != null) {
      return CompletableFuture.failedFuture(bad);
    }
    return node.changeMembership(new MemberList.Change(MemberList.Kind.UPDATE_PEER_URLS, id, null,
        List.copyOf(peerUrls), null));
  }

  /**
   * Promotes a learner. Only the leader knows whether it caught up, so a follower hands the request to the leader's
   * etcd API (its client URL is in the member list), as etcd forwards it over its peer API.
   */
  @Override
  public CompletableFuture<List<Member>> promote(long id) {
    return node.changeMembership(new MemberList.Change(MemberList.Kind.PROMOTE, id, null, null, null))
        .exceptionallyCompose(failure -> {
          Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (cause instanceof StoreException e && e.code() == StoreException.Code.NOT_LEADER) {
            return promoteOnLeader(id);
          }
          return CompletableFuture.failedFuture(cause);
        });
  }

  private CompletableFuture<List<Member>> promoteOnLeader(long id) {
    Member leader = node.memberList().get(node.leader());
    if (leader == null || leader.clientUrls().isEmpty()) {
      return CompletableFuture.failedFuture(new StoreException(StoreException.Code.NO_LEADER, "no leader"));
    }
    URI target = URI.create(leader.clientUrls().get(0));
    io.grpc.ManagedChannel channel = io.grpc.ManagedChannelBuilder.forAddress(target.getHost(), target.getPort())
        .usePlaintext().build();
    CompletableFuture<List<Member>> result = new CompletableFuture<>();
    ClusterGrpc.newStub(channel).withDeadlineAfter(FORWARD_TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .memberPromote(MemberPromoteRequest.newBuilder().setID(id).build(), new StreamObserver<>() {
          @Override
          public void onNext(MemberPromoteResponse response) {
            result.complete(response.getMembersList().stream().map(m -> new Member(m.getID(), m.getName(),
                List.copyOf(m.getPeerURLsList()), List.copyOf(m.getClientURLsList()), m.getIsLearner())).toList());
          }

          @Override
          public void onError(Throwable t) {
            result.completeExceptionally(t); // the leader's answer, in etcd's words already
          }

          @Override
          public void onCompleted() {
            result.completeExceptionally(new IllegalStateException("member promote: the leader sent no answer"));
          }
        });
    return result.whenComplete((ok, failed) -> channel.shutdown());
  }

  /** Peer URLs as etcd accepts them: at least one, each http(s)://host:port without a path. */
  static StoreException badUrls(List<String> urls) {
    if (urls.isEmpty()) {
      return new StoreException(StoreException.Code.MEMBER_BAD_URLS, "given member URLs are invalid");
    }
    for (String url : urls) {
      try {
        URI uri = new URI(url);
        boolean scheme = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
        boolean path = uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/");
        if (!scheme || uri.getHost() == null || uri.getPort() <= 0 || path || uri.getRawQuery() != null) {
          return new StoreException(StoreException.Code.MEMBER_BAD_URLS, "given member URLs are invalid");
        }
      } catch (URISyntaxException e) {
        return new StoreException(StoreException.Code.MEMBER_BAD_URLS, "given member URLs are invalid");
      }
    }
    return null;
  }

  @Override
  public void close() {
    closed = true;
  }
}
