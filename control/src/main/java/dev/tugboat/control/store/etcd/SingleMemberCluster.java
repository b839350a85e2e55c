package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.StoreException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster of one member. Ids are derived as etcd derives them: the member id from its peer URLs and the cluster
 * token, the cluster id from the member ids, so the same flags give the same ids on every start.
 * Adding a member needs the replicated store; a single member refuses it with that reason.
 */
public final class SingleMemberCluster implements Membership {

  private final long clusterId;
  private volatile Member self;

  public SingleMemberCluster(String name, List<String> peerUrls, List<String> clientUrls, String clusterToken) {
    long memberId = memberId(peerUrls, clusterToken);
    this.self = new Member(memberId, name, List.copyOf(peerUrls), List.copyOf(clientUrls), false);
    this.clusterId = hash(Long.toHexString(memberId) + "/" + clusterToken);
  }

  /** A member id from sorted peer URLs and the cluster token, as etcd computes it (SHA-1, first 8 bytes). */
  public static long memberId(List<String> peerUrls, String clusterToken) {
    return hash(String.join("", new TreeSet<>(peerUrls)) + clusterToken);
  }

  private static long hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }

  @Override
  public long clusterId() {
    return clusterId;
  }

  @Override
  public long memberId() {
    return self.id();
  }

  @Override
  public long leaderId() {
    return self.id();
  }

  @Override
  public boolean learner() {
    return false;
  }

  @Override
  public List<Member> members() {
    return List.of(self);
  }

  @Override
  public CompletableFuture<Member> add(List<String> peerUrls, boolean learner) {
    return CompletableFuture.failedFuture(new StoreException(StoreException.Code.INVALID_ARGUMENT,
        "member add: this store runs as a single member without replication; start it with --initial-cluster "
            + "naming every member"));
  }

  @Override
  public CompletableFuture<List<Member>> remove(long id) {
    if (id != self.id()) {
      return notFound();
    }
    return CompletableFuture.failedFuture(new StoreException(StoreException.Code.INVALID_ARGUMENT,
        "member remove: " + Long.toHexString(id) + " is the only member"));
  }

  @Override
  public synchronized CompletableFuture<List<Member>> update(long id, List<String> peerUrls) {
    if (id != self.id()) {
      return notFound();
    }
    self = new Member(self.id(), self.name(), List.copyOf(peerUrls), self.clientUrls(), false);
    return CompletableFuture.completedFuture(members());
  }

  @Override
  public CompletableFuture<List<Member>> promote(long id) {
    if (id != self.id()) {
      return notFound();
    }
    return CompletableFuture.failedFuture(new StoreException(StoreException.Code.INVALID_ARGUMENT,
        "can only promote a learner member"));
  }

  private static <T> CompletableFuture<T> notFound() {
    return CompletableFuture.failedFuture(new StoreException(StoreException.Code.MEMBER_NOT_FOUND, "member not found"));
  }
}
