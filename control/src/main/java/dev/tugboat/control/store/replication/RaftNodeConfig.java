package dev.tugboat.control.store.replication;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * How one member of a replicated store runs.
 *
 * @param memberId        this member's id (positive)
 * @param clusterId       the cluster's id; peers of another cluster are refused and a data dir of another cluster
 *                        is not opened
 * @param dataDir         where the log, the snapshots and the member identity live
 * @param members         every member of the initial cluster (this one included) and its peer address
 * @param listenPeer      where to accept peer connections
 * @param tick            the Raft clock's period
 * @param electionTicks   ticks without a leader before a follower campaigns (randomised up to twice that)
 * @param heartbeatTicks  ticks between leader heartbeats
 * @param snapshotEntries applied entries between two snapshots (and log compactions)
 * @param requestTimeout  how long a proposal or read barrier may wait before failing with TIMEOUT
 */
public record RaftNodeConfig(long memberId, long clusterId, Path dataDir, Map<Long, InetSocketAddress> members,
                             InetSocketAddress listenPeer, Duration tick, int electionTicks, int heartbeatTicks,
                             long snapshotEntries, Duration requestTimeout) {

  public RaftNodeConfig {
    members = Map.copyOf(members);
    if (!members.containsKey(memberId)) {
      throw new IllegalArgumentException("member " + Long.toHexString(memberId) + " is not in the initial cluster "
          + members.keySet());
    }
  }

  /** A lone member with defaults suited to tests and development. */
  public static RaftNodeConfig single(Path dataDir) {
    return new RaftNodeConfig(1, 1, dataDir, Map.of(1L, new InetSocketAddress("127.0.0.1", 0)), null,
        Duration.ofMillis(100), 10, 1, 10_000, Duration.ofSeconds(5));
  }

  public RaftNodeConfig withSnapshotEntries(long entries) {
    return new RaftNodeConfig(memberId, clusterId, dataDir, members, listenPeer, tick, electionTicks, heartbeatTicks,
        entries, requestTimeout);
  }

  public boolean isSingleMember() {
    return members.size() == 1;
  }
}
