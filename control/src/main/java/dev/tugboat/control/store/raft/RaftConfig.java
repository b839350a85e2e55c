package dev.tugboat.control.store.raft;

/**
 * How one member runs. Times are in ticks of the driver's logical clock ({@link RaftCore#tick()}).
 *
 * @param id                        this member's id, positive
 * @param electionTicks             a follower that hears nothing from a leader for a random time in
 *                                  [electionTicks, 2 * electionTicks) campaigns; must exceed heartbeatTicks
 * @param heartbeatTicks            the leader sends heartbeats every this many ticks
 * @param maxSizePerMessage         upper bound on the entry bytes of one APPEND (at least one entry is always sent)
 * @param maxInflightMessages       how many APPENDs the leader sends to a follower ahead of its acknowledgements
 * @param maxUncommittedEntriesSize the leader refuses proposals once this many entry bytes are uncommitted (0 = no
 *                                  limit)
 * @param checkQuorum               the leader steps down if it has not heard from a quorum within electionTicks, and
 *                                  voters ignore vote requests while they hear from a leader (the leader lease)
 * @param preVote                   campaign with a pre-vote round first, so a member that was cut off does not
 *                                  disrupt the cluster when it returns
 * @param readOnlyOption            how read index requests are confirmed
 * @param disableProposalForwarding followers drop proposals instead of forwarding them to the leader
 */
public record RaftConfig(long id, int electionTicks, int heartbeatTicks, long maxSizePerMessage,
                         int maxInflightMessages, long maxUncommittedEntriesSize, boolean checkQuorum,
                         boolean preVote, ReadOnlyOption readOnlyOption, boolean disableProposalForwarding) {

    public RaftConfig {
        if (id <= 0) throw new IllegalArgumentException("RaftConfig.id: must be positive, was " + id);
        if (heartbeatTicks <= 0) {
            throw new IllegalArgumentException("RaftConfig.heartbeatTicks: must be positive, was " + heartbeatTicks);
        }
        if (electionTicks <= heartbeatTicks) {
            throw new IllegalArgumentException("RaftConfig.electionTicks: must exceed heartbeatTicks ("
                + heartbeatTicks + "), was " + electionTicks);
        }
        if (maxSizePerMessage <= 0) {
            throw new IllegalArgumentException("RaftConfig.maxSizePerMessage: must be positive, was "
                + maxSizePerMessage);
        }
        if (maxInflightMessages <= 0) {
            throw new IllegalArgumentException("RaftConfig.maxInflightMessages: must be positive, was "
                + maxInflightMessages);
        }
        if (readOnlyOption == ReadOnlyOption.LEASE_BASED && !checkQuorum) {
            throw new IllegalArgumentException("RaftConfig.readOnlyOption: LEASE_BASED requires checkQuorum");
        }
    }

    /** Defaults that suit a LAN cluster ticking every 100 ms: election after 1-2 s, heartbeat every 100 ms. */
    public static RaftConfig defaults(long id) {
        return new RaftConfig(id, 10, 1, 1024 * 1024, 256, 0, true, true, ReadOnlyOption.SAFE, false);
    }

    public RaftConfig withElectionTicks(int electionTicks, int heartbeatTicks) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withFlowControl(long maxSizePerMessage, int maxInflightMessages) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withCheckQuorum(boolean checkQuorum) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withPreVote(boolean preVote) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withReadOnlyOption(ReadOnlyOption readOnlyOption) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withMaxUncommittedEntriesSize(long maxUncommittedEntriesSize) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }

    public RaftConfig withDisableProposalForwarding(boolean disableProposalForwarding) {
        return new RaftConfig(id, electionTicks, heartbeatTicks, maxSizePerMessage, maxInflightMessages,
            maxUncommittedEntriesSize, checkQuorum, preVote, readOnlyOption, disableProposalForwarding);
    }
}
