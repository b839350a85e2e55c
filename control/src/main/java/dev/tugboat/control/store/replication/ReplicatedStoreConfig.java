package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.Membership;
import dev.tugboat.control.store.etcd.SingleMemberCluster;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One member of a replicated store, described with etcd's flags: {@code --name}, {@code --data-dir},
 * {@code --initial-cluster} (name=peerURL,...), {@code --initial-cluster-token}, {@code --listen-peer-urls},
 * {@code --listen-client-urls}, {@code --advertise-client-urls}, {@code --heartbeat-interval},
 * {@code --election-timeout}, {@code --snapshot-count}, {@code --initial-cluster-state} ({@code join}: existing).
 *
 * <p>A member that joins an existing cluster ({@code etcdctl member add} first) has the id that {@code member add}
 * derived from its peer URLs and the cluster token, and learns the cluster id from the first peer that greets it.
 */
public record ReplicatedStoreConfig(String name, Path dataDir, Map<String, List<String>> initialCluster,
                                    String clusterToken, List<String> listenPeerUrls, List<String> listenClientUrls,
                                    List<String> advertiseClientUrls, Duration heartbeatInterval,
                                    Duration electionTimeout, long snapshotCount, boolean join) {

  public ReplicatedStoreConfig(String name, Path dataDir, Map<String, List<String>> initialCluster,
                               String clusterToken, List<String> listenPeerUrls, List<String> listenClientUrls,
                               List<String> advertiseClientUrls, Duration heartbeatInterval,
                               Duration electionTimeout, long snapshotCount) {
    this(name, dataDir, initialCluster, clusterToken, listenPeerUrls, listenClientUrls, advertiseClientUrls,
        heartbeatInterval, electionTimeout, snapshotCount, false);
  }

  public ReplicatedStoreConfig {
    initialCluster = new LinkedHashMap<>(initialCluster);
    if (!initialCluster.containsKey(name)) {
      throw new IllegalArgumentException("--initial-cluster: has no member named " + name + " (--name); it names "
          + initialCluster.keySet());
    }
    if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
      throw new IllegalArgumentException("--election-timeout: must be at least twice --heartbeat-interval ("
          + heartbeatInterval.toMillis() + " ms), was " + electionTimeout.toMillis() + " ms");
    }
  }

  /** Parses {@code --initial-cluster}: {@code name=url,name=url,...}; a name may repeat for several URLs. */
  public static Map<String, List<String>> parseInitialCluster(String flag) {
    Map<String, List<String>> members = new LinkedHashMap<>();
    for (String part : flag.split(",")) {
      int eq = part.indexOf('=');
      if (eq <= 0 || eq == part.length() - 1) {
        throw new IllegalArgumentException("--initial-cluster: '" + part + "' is not name=peerURL");
      }
      members.computeIfAbsent(part.substring(0, eq).trim(), k -> new ArrayList<>()).add(part.substring(eq + 1).trim());
    }
    return members;
  }

  /**
   * Every member's id, by name: derived from its peer URLs and the token as etcd derives them, with the sign bit
   * cleared because the Raft core takes positive ids.
   */
  public Map<String, Long> memberIds() {
    Map<String, Long> ids = new LinkedHashMap<>();
    initialCluster.forEach((n, urls) -> ids.put(n, memberId(urls, clusterToken)));
    return ids;
  }

  /** The id of a member with these peer URLs: what {@code member add} gives it and what it takes when it joins. */
  public static long memberId(List<String> peerUrls, String clusterToken) {
    return SingleMemberCluster.memberId(peerUrls, clusterToken) & Long.MAX_VALUE;
  }

  public long memberId() {
    return memberIds().get(name);
  }

  /** The cluster id, from the sorted member ids and the token (for one member, what a single member reports). */
  public long clusterId() {
    TreeSet<String> ids = new TreeSet<>();
    memberIds().values().forEach(id -> ids.add(Long.toHexString(id)));
    return hash(String.join(",", ids) + "/" + clusterToken);
  }

  public Path memberDir() {
    return dataDir.resolve("member");
  }

  public RaftNodeConfig raftNodeConfig() {
    Map<Long, InetSocketAddress> peers = new LinkedHashMap<>();
    Map<String, Long> ids = memberIds();
    initialCluster.forEach((n, urls) -> peers.put(ids.get(n), socketAddress("--initial-cluster", urls.get(0))));
    InetSocketAddress listen = listenPeerUrls.isEmpty() ? peers.get(memberId())
        : socketAddress("--listen-peer-urls", listenPeerUrls.get(0));
    int electionTicks = (int) Math.max(2, electionTimeout.toMillis() / Math.max(1, heartbeatInterval.toMillis()));
    Map<Long, Membership.Member> named = new LinkedHashMap<>();
    initialCluster.forEach((n, urls) -> named.put(ids.get(n),
        new Membership.Member(ids.get(n), n, List.copyOf(urls), List.of(), false)));
    return new RaftNodeConfig(memberId(), join ? 0 : clusterId(), memberDir(), peers, listen, heartbeatInterval,
        electionTicks, 1, snapshotCount, Duration.ofSeconds(7), named, join);
  }

  static InetSocketAddress socketAddress(String flag, String url) {
    URI uri = URI.create(url);
    if (uri.getHost() == null || uri.getPort() <= 0) {
      throw new IllegalArgumentException(flag + ": '" + url + "' is not a URL with host and port");
    }
    return new InetSocketAddress(uri.getHost(), uri.getPort());
  }

  private static long hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JDK", e);
    }
  }
}
