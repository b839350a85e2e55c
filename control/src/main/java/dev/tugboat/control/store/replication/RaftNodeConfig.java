package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.Membership;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one member of a replicated store runs.
 *
 * @param memberId        this member's id (positive)
 * @param clusterId       the cluster's id; peers of another cluster are refused and a data dir of another cluster
 *                        is not opened (0 when joining: learned from the first peer that greets this member)
 * @param dataDir         where the log, the snapshots and the member identity live
 * @param members         every member of the initial cluster (this one included) and its peer address; when joining,
 *                        the members to reach
 * @param listenPeer      where to accept peer connections; null for a member that never has peers (no transport)
 * @param tick            the Raft clock's period
 * @param electionTicks   ticks without a leader before a follower campaigns (randomised up to twice that)
 * @param heartbeatTicks  ticks between leader heartbeats
 * @param snapshotEntries applied entries between two snapshots (and log compactions)
 * @param requestTimeout  how long a proposal or read barrier may wait before failing with TIMEOUT
 * @param initialMembers  names and peer URLs of the initial cluster, written into a new log's first entries
 * @param join            true to join an existing cluster (its log comes from the leader), false to start a new one
 */
public record RaftNodeConfig(long memberId, long clusterId, Path dataDir, Map<Long, InetSocketAddress> members,
                             InetSocketAddress listenPeer, Duration tick, int electionTicks, int heartbeatTicks,
                             long snapshotEntries, Duration requestTimeout, Map<Long, Membership.Member> initialMembers,
                             boolean join) {

  public RaftNodeConfig {
    members = Map.copyOf(members);
    if (!members.containsKey(memberId)) {
      throw new IllegalArgumentException("member " + Long.toHexString(memberId) + " is not in the initial cluster "
          + members.keySet());
    }
    Map<Long, Membership.Member> named = new LinkedHashMap<>();
    for (Map.Entry<Long, InetSocketAddress> e : members.entrySet()) {
      Membership.Member given = initialMembers.get(e.getKey());
      named.put(e.getKey(), given != null ? given : new Membership.Member(e.getKey(), Long.toHexString(e.getKey()),
          List.of("http://" + e.getValue().getHostString() + ":" + e.getValue().getPort()), List.of(), false));
    }
    initialMembers = Map.copyOf(named);
  }

  public RaftNodeConfig(long memberId, long clusterId, Path dataDir, Map<Long, InetSocketAddress> members,
                        InetSocketAddress listenPeer, Duration tick, int electionTicks, int heartbeatTicks,
                        long snapshotEntries, Duration requestTimeout) {
    this(memberId, clusterId, dataDir, members, listenPeer, tick, electionTicks, heartbeatTicks, snapshotEntries,
        requestTimeout, Map.of(), false);
  }

  /** A lone member with defaults suited to tests and development: no peers, ever. */
  public static RaftNodeConfig single(Path dataDir) {
    return new RaftNodeConfig(1, 1, dataDir, Map.of(1L, new InetSocketAddress("127.0.0.1", 0)), null,
        Duration.ofMillis(100), 10, 1, 10_000, Duration.ofSeconds(5));
  }

  public RaftNodeConfig withSnapshotEntries(long entries) {
    return new RaftNodeConfig(memberId, clusterId, dataDir, members, listenPeer, tick, electionTicks, heartbeatTicks,
        entries, requestTimeout, initialMembers, join);
  }

  /** The cluster id a joined member recorded in its data dir. */
  public RaftNodeConfig withClusterId(long id) {
    return new RaftNodeConfig(memberId, id, dataDir, members, listenPeer, tick, electionTicks, heartbeatTicks,
        snapshotEntries, requestTimeout, initialMembers, join);
  }

  public RaftNodeConfig withInitialMembers(Map<Long, Membership.Member> named) {
    return new RaftNodeConfig(memberId, clusterId, dataDir, members, listenPeer, tick, electionTicks, heartbeatTicks,
        snapshotEntries, requestTimeout, named, join);
  }

  /** No peer transport: a member started without a peer address stays alone. */
  public boolean isSingleMember() {
    return listenPeer == null;
  }
}
