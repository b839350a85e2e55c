package dev.tugboat.control.store.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * One member's Raft state machine: leader election (with pre-vote and check-quorum), log replication (pipelined,
 * batched), commitment, read index (quorum-confirmed or leader lease), snapshots, single-member configuration
 * changes and leadership transfer.
 *
 * <p>It is pure: no I/O, clock, threads or randomness other than the {@link RandomGenerator} it is given, and not
 * thread-safe. Inputs are {@link #tick()}, {@link #step(Message)} and the request methods; output is
 * {@link #ready()}, acknowledged by {@link #advance(Ready)}. The same inputs in the same order always give the
 * same outputs.
 */
public final class RaftCore {

    /** "No node": no leader known, no vote cast. */
    public static final long NONE = 0;

    /** Vote context marking a campaign started by leadership transfer, which voters grant even inside a lease. */
    static final byte[] TRANSFER_CONTEXT = "transfer".getBytes(StandardCharsets.US_ASCII);

    private enum CampaignType { PRE_ELECTION, ELECTION, TRANSFER }

    private enum VoteResult { PENDING, WON, LOST }

    private final RaftConfig config;
    private final long id;
    private final RandomGenerator random;
    private final RaftLog log;

    private long term;
    private long vote;
    private long lead = NONE;
    private StateRole role = StateRole.FOLLOWER;
    private ConfState confState;

    /** Leader only: each member's replication state, by id (sorted, so message order is deterministic). */
    private final TreeMap<Long, Progress> progress = new TreeMap<>();
    private final Map<Long, Boolean> votes = new HashMap<>();

    private long clock;
    private int electionElapsed;
    private int heartbeatElapsed;
    private int randomizedElectionTimeout;
    private long leadTransferee = NONE;
    /** Leader: sent TIMEOUT_NOW this term, so a forced election may be under way and the lease is void. */
    private boolean transferStarted;
    /** Leader: index of the latest conf change proposed; no new one until it is applied. */
    private long pendingConfIndex;
    private long uncommittedSize;

    private final ReadIndexQueue readIndexQueue = new ReadIndexQueue();
    /** Leader: read requests waiting for the first commit of this term. */
    private final List<Message> readsAwaitingCommit = new ArrayList<>();

    private final List<Message> messages = new ArrayList<>();
    /** A leader's replication traffic, which may leave before its own entries are persisted (see {@link Ready}). */
    private final List<Message> earlyMessages = new ArrayList<>();
    private final List<ReadState> readStates = new ArrayList<>();
    private SoftState lastSoftState;
    private HardState lastHardState;
    private Ready pendingReady;

    /**
     * Starts (or restarts) a member from what {@code storage} holds. Its state machine is taken to reflect the
     * storage's latest snapshot: the committed entries after it are handed out again in {@link Ready}s, so a durable
     * state machine skips those it already applied (by index) and applies the rest.
     *
     * @throws IllegalStateException if the stored hard state contradicts the stored log
     */
    public RaftCore(RaftConfig config, Storage storage, RandomGenerator random) {
        this.config = config;
        this.id = config.id();
        this.random = random;
        this.log = new RaftLog(storage);
        Storage.InitialState initial = storage.initialState();
        HardState hs = initial.hardState();
        this.confState = initial.confState();
        if (!hs.isEmpty()) {
            if (hs.commit() > log.lastIndex()) {
                throw new IllegalStateException("raft node " + id + ": stored commit " + hs.commit()
                    + " is beyond the stored log's last index " + log.lastIndex());
            }
            // A snapshot saved after the hard state (a crash between the two writes) is committed all the same.
            log.committed = Math.max(log.committed, hs.commit());
            term = hs.term();
            vote = hs.vote();
        }
        becomeFollower(term, NONE);
        lastSoftState = new SoftState(lead, role);
        lastHardState = new HardState(term, vote, log.committed);
    }

    // ---------------------------------------------------------------- inputs

    /** Advances the logical clock by one tick: election timeouts, heartbeats, check-quorum. */
    public void tick() {
        clock++;
        if (role == StateRole.LEADER) {
            tickHeartbeat();
        } else {
            tickElection();
        }
    }

    /**
     * Feeds one message received from a peer. Stale, duplicated and reordered messages are tolerated; messages for
     * other members or of local-only meaning are the caller's bug.
     */
    public void step(Message m) {
        if (m.to() != id) {
            throw new IllegalArgumentException("raft node " + id + ": message addressed to " + m.to() + ": " + m);
        }
        if (m.term() == 0) {
            if (m.type() != MessageType.PROPOSE && m.type() != MessageType.READ_INDEX) {
                throw new IllegalArgumentException("raft node " + id + ": message without a term: " + m);
            }
        } else if (m.term() > term) {
            if (m.type() == MessageType.VOTE || m.type() == MessageType.PRE_VOTE) {
                boolean force = Arrays.equals(m.context(), TRANSFER_CONTEXT);
                if (!force && inLease()) {
                    return; // a leader we heard from recently is alive: do not let a cut-off member disrupt it
                }
            }
            if (m.type() == MessageType.PRE_VOTE) {
                // never raise our term for a pre-vote: nobody has started an election yet
            } else if (m.type() == MessageType.PRE_VOTE_RESPONSE && !m.reject()) {
                // granted pre-votes carry the term we would campaign in; we raise it once a quorum grants
            } else if (m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
                || m.type() == MessageType.SNAPSHOT) {
                becomeFollower(m.term(), m.from());
            } else {
                becomeFollower(m.term(), NONE);
            }
        } else if (m.term() < term) {
            if ((config.checkQuorum() || config.preVote())
                && (m.type() == MessageType.HEARTBEAT || m.type() == MessageType.APPEND)) {
                // A leader cut off from the cluster never learns the new term otherwise; with check-quorum or
                // pre-vote the rest of the cluster never raises its term to meet it, so tell it.
                send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).term(term).build());
            } else if (m.type() == MessageType.PRE_VOTE) {
                send(Message.builder(MessageType.PRE_VOTE_RESPONSE).to(m.from()).term(term).reject(true).build());
            }
            return;
        }

        switch (m.type()) {
            case VOTE, PRE_VOTE -> handleVoteRequest(m);
            default -> {
                switch (role) {
                    case LEADER -> stepLeader(m);
                    case CANDIDATE, PRE_CANDIDATE -> stepCandidate(m);
                    case FOLLOWER -> stepFollower(m);
                }
            }
        }
    }

    /** Starts an election now (with a pre-vote round first if configured), unless this member cannot vote. */
    public void campaign() {
        hup(config.preVote() ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
    }

    /**
     * Proposes {@code data} for the log. A follower forwards it to the leader; where it then ends up is seen only in
     * the committed entries.
     *
     * @throws ProposalDroppedException if no leader is known, a transfer is under way or too much is uncommitted
     */
    public void propose(byte[] data) {
        propose(List.of(new Entry(0, 0, EntryType.NORMAL, data)));
    }

    /**
     * Proposes several commands at once, in this order, as {@link #propose(byte[])} does one: a leader appends them
     * together and sends each follower one APPEND that holds them all (one per command otherwise, each answered by
     * the follower on its own); a follower forwards them in one message. They are all dropped or none.
     *
     * @throws ProposalDroppedException as {@link #propose(byte[])}
     */
    public void proposeAll(List<byte[]> data) {
        if (data.isEmpty()) return;
        List<Entry> entries = new ArrayList<>(data.size());
        for (byte[] d : data) entries.add(new Entry(0, 0, EntryType.NORMAL, d));
        propose(entries);
    }

    /**
     * Proposes a configuration change; it takes effect on each member when applied.
     *
     * @throws ProposalDroppedException if this member does not lead, or a change is still pending
     */
    public void proposeConfChange(ConfChange change) {
        propose(List.of(new Entry(0, 0, EntryType.CONF_CHANGE, change.encode())));
    }

    private void propose(List<Entry> entries) {
        Message m = Message.builder(MessageType.PROPOSE).to(id).from(id).entries(entries).build();
        String dropped = switch (role) {
            case LEADER -> leaderPropose(m);
            case CANDIDATE, PRE_CANDIDATE -> "raft node " + id + " is campaigning in term " + term;
            case FOLLOWER -> forwardToLeader(m);
        };
        if (dropped != null) throw new ProposalDroppedException("propose: " + dropped);
    }

    /**
     * Asks for a linearizable read point; the answer arrives as a {@link ReadState} carrying the same context (which
     * should be unique per request) in a later {@link Ready}. A request lost to a leader change gets no answer: the
     * caller retries after a timeout.
     *
     * @throws ProposalDroppedException if no leader is known
     */
    public void readIndex(byte[] requestContext) {
        Message m = Message.builder(MessageType.READ_INDEX).to(id).from(id).context(requestContext).build();
        String dropped = switch (role) {
            case LEADER -> { leaderReadIndex(m); yield null; }
            case CANDIDATE, PRE_CANDIDATE -> "raft node " + id + " is campaigning in term " + term;
            case FOLLOWER -> forwardToLeader(m);
        };
        if (dropped != null) throw new ProposalDroppedException("readIndex: " + dropped);
    }

    /** Asks the leader to hand leadership to {@code transferee} (which must be a voter); no-op without a leader. */
    public void transferLeadership(long transferee) {
        Message m = Message.builder(MessageType.TRANSFER_LEADER).to(id).from(id).term(term).index(transferee).build();
        if (role == StateRole.LEADER) {
            stepLeader(m);
        } else if (lead != NONE) {
            send(m.withRoute(id, lead, term));
        }
    }

    /** Tells the leader that {@code id} could not be reached, so replication to it falls back to probing. */
    public void reportUnreachable(long nodeId) {
        Progress pr = progress.get(nodeId);
        if (role == StateRole.LEADER && pr != null && pr.state == Progress.State.REPLICATE) {
            pr.becomeProbe();
        }
    }

    /**
     * Tells the leader how sending a snapshot to {@code id} ended. The driver reports every SNAPSHOT message it was
     * given: until then (or until two election timeouts pass) the leader sends that follower nothing but heartbeats.
     */
    public void reportSnapshot(long nodeId, SnapshotStatus status) {
        Progress pr = progress.get(nodeId);
        if (role != StateRole.LEADER || pr == null || pr.state != Progress.State.SNAPSHOT) return;
        if (status == SnapshotStatus.FAILED) pr.pendingSnapshot = 0;
        // Wait for the follower's answer (or a heartbeat response) before probing again.
        pr.becomeProbe();
        pr.probeSent = true;
    }

    // ---------------------------------------------------------------- output

    public boolean hasReady() {
        if (pendingReady != null) return false;
        return !messages.isEmpty() || !earlyMessages.isEmpty() || !readStates.isEmpty() || log.hasUnstableEntries()
            || log.unstableSnapshot() != null || log.hasNextCommittedEntries()
            || lead != lastSoftState.leader() || role != lastSoftState.role()
            || term != lastHardState.term() || vote != lastHardState.vote() || log.committed != lastHardState.commit();
    }

    /**
     * The work accumulated since the last {@link #advance}; see {@link Ready} for what to do with it.
     *
     * @throws IllegalStateException if the previous Ready was not yet advanced
     */
    public Ready ready() {
        if (pendingReady != null) {
            throw new IllegalStateException("raft node " + id + ": ready() before advance() of the previous Ready");
        }
        SoftState soft = new SoftState(lead, role);
        HardState hard = new HardState(term, vote, log.committed);
        List<Entry> entries = log.unstableEntries();
        boolean mustSync = !entries.isEmpty() || hard.term() != lastHardState.term()
            || hard.vote() != lastHardState.vote() || log.unstableSnapshot() != null;
        List<Message> early = earlyMessages;
        List<Message> late = messages;
        if (hard.term() != lastHardState.term() && !earlyMessages.isEmpty()) {
            // The term these messages speak in is not yet on disk: a restart could forget it, so they wait.
            late = new ArrayList<>(earlyMessages);
            late.addAll(messages);
            early = List.of();
        }
        Ready rd = new Ready(soft.equals(lastSoftState) ? null : soft, hard.equals(lastHardState) ? null : hard,
            entries, log.unstableSnapshot(), log.nextCommittedEntries(Long.MAX_VALUE), early, late, readStates,
            mustSync);
        messages.clear();
        earlyMessages.clear();
        readStates.clear();
        lastSoftState = soft;
        lastHardState = hard;
        pendingReady = rd;
        return rd;
    }

    /**
     * Acknowledges that everything {@code ready} asked for is done: persisted, sent, installed and applied.
     * Configuration changes among its committed entries take effect now.
     */
    public void advance(Ready ready) {
        if (ready != pendingReady) {
            throw new IllegalStateException("raft node " + id + ": advance() of a Ready that is not the pending one");
        }
        pendingReady = null;
        if (ready.snapshot() != null) {
            log.stableSnapshotTo(ready.snapshot().metadata().index());
            log.appliedTo(ready.snapshot().metadata().index());
        }
        if (!ready.entries().isEmpty()) {
            Entry last = ready.entries().get(ready.entries().size() - 1);
            log.stableTo(last.index(), last.term());
        }
        leaderPersisted();
        for (Entry e : ready.committedEntries()) {
            if (e.index() <= log.applied) continue;
            log.appliedTo(e.index());
            if (role == StateRole.LEADER && e.type() == EntryType.NORMAL) {
                uncommittedSize = Math.max(0, uncommittedSize - e.data().length);
            }
            if (e.type() == EntryType.CONF_CHANGE) applyConfChange(ConfChange.decode(e.data()));
        }
    }

    /**
     * A leader counts its own entries toward commitment only once they are on its disk: its APPENDs may leave before
     * its own fsync, so a quorum of matches must be a quorum of durable copies.
     */
    private void leaderPersisted() {
        if (role != StateRole.LEADER) return;
        Progress self = progress.get(id);
        if (self != null && self.maybeUpdate(log.persistedLastIndex()) && maybeCommit()) broadcastAppend();
    }

    // ---------------------------------------------------------------- status

    public long id() { return id; }
    public long term() { return term; }
    public long vote() { return vote; }
    public long leader() { return lead; }
    public StateRole role() { return role; }
    public long committedIndex() { return log.committed; }
    public long appliedIndex() { return log.applied; }
    public long firstIndex() { return log.firstIndex(); }
    public long lastIndex() { return log.lastIndex(); }
    /** The term of the entry at {@code index}, or 0 if this member does not hold it. */
    public long termAt(long index) { return log.term(index); }
    /** The configuration in force: the latest applied change, or the latest snapshot's. */
    public ConfState confState() { return confState; }
    public long leadTransferee() { return leadTransferee; }

    /**
     * Leader: the highest log index known to be replicated on {@code nodeId} (the leader's own last index for
     * itself); -1 on a member that does not lead, or for a node outside the configuration.
     */
    public long matchIndex(long nodeId) {
        if (role != StateRole.LEADER) return -1;
        Progress pr = progress.get(nodeId);
        return pr == null ? -1 : pr.match;
    }

    /**
     * Whether this leader may answer reads from its lease right now: a quorum acknowledged heartbeats sent less than
     * an election timeout ago (minus one tick of margin), and no leadership transfer was started this term.
     */
    public boolean hasLeaderLease() {
        if (role != StateRole.LEADER || !config.checkQuorum() || transferStarted) return false;
        List<Long> acks = new ArrayList<>();
        for (long voter : confState.voters()) {
            Progress pr = progress.get(voter);
            acks.add(voter == id ? clock : pr == null ? -1 : pr.leaseAckTick);
        }
        if (acks.isEmpty()) return false;
        acks.sort(null);
        long quorumAck = acks.get(acks.size() - quorum());
        return quorumAck >= 0 && clock < quorumAck + config.electionTicks() - 1;
    }

    /** A one-line summary for logs and test failures. */
    @Override
    public String toString() {
        return "raft node " + id + " " + role + " term=" + term + " vote=" + vote + " lead=" + lead + " log=["
            + log.firstIndex() + ".." + log.lastIndex() + "] commit=" + log.committed + " applied=" + log.applied
            + " conf=" + confState;
    }

    // ---------------------------------------------------------------- roles

    private void reset(long newTerm) {
        if (newTerm != term) {
            term = newTerm;
            vote = NONE;
        }
        lead = NONE;
        electionElapsed = 0;
        heartbeatElapsed = 0;
        randomizedElectionTimeout = config.electionTicks() + random.nextInt(config.electionTicks());
        leadTransferee = NONE;
        transferStarted = false;
        votes.clear();
        progress.clear();
        pendingConfIndex = 0;
        uncommittedSize = 0;
        readIndexQueue.clear();
        readsAwaitingCommit.clear();
    }

    private void becomeFollower(long newTerm, long leader) {
        reset(newTerm);
        lead = leader;
        role = StateRole.FOLLOWER;
    }

    private void becomePreCandidate() {
        // Neither term nor vote change: a pre-vote round leaves no trace if it fails.
        votes.clear();
        lead = NONE;
        role = StateRole.PRE_CANDIDATE;
    }

    private void becomeCandidate() {
        reset(term + 1);
        vote = id;
        role = StateRole.CANDIDATE;
    }

    private void becomeLeader() {
        reset(term);
        lead = id;
        role = StateRole.LEADER;
        long last = log.lastIndex();
        for (long member : members()) {
            Progress pr = new Progress(last + 1, config.maxInflightMessages());
            if (member == id) {
                pr.match = log.persistedLastIndex();
                pr.becomeReplicate();
                pr.recentActive = true;
            }
            progress.put(member, pr);
        }
        // Entries of earlier terms are committed only through an entry of this term: append one right away.
        // Configuration changes wait until it is applied: an uncommitted change of an earlier leader may be among
        // the entries before it, and single-member changes are safe only one at a time, each proposed after the
        // leader committed an entry of its own term.
        appendEntries(List.of(new Entry(0, 0, EntryType.NORMAL, null)));
        pendingConfIndex = log.lastIndex();
    }

    private List<Long> members() {
        List<Long> all = new ArrayList<>(confState.voters());
        all.addAll(confState.learners());
        return all;
    }

    private boolean promotable() {
        return confState.voters().contains(id);
    }

    private int quorum() {
        return confState.voters().size() / 2 + 1;
    }

    /** Voters refuse to help depose a leader they heard from within the election timeout. */
    private boolean inLease() {
        if (!config.checkQuorum()) return false;
        if (lead != NONE && electionElapsed < config.electionTicks()) return true;
        // A restarted member forgot whom it heard from; with lease reads it must wait as if it had heard a leader.
        return config.readOnlyOption() == ReadOnlyOption.LEASE_BASED && clock < config.electionTicks();
    }

    // ---------------------------------------------------------------- clock

    private void tickElection() {
        electionElapsed++;
        if (promotable() && electionElapsed >= randomizedElectionTimeout) {
            electionElapsed = 0;
            campaign();
        }
    }

    private void tickHeartbeat() {
        heartbeatElapsed++;
        electionElapsed++;
        if (electionElapsed >= config.electionTicks()) {
            electionElapsed = 0;
            if (config.checkQuorum() && !checkQuorumActive()) {
                becomeFollower(term, NONE);
                return;
            }
            if (leadTransferee != NONE) leadTransferee = NONE; // the transfer took too long: give up on it
        }
        if (heartbeatElapsed >= config.heartbeatTicks()) {
            heartbeatElapsed = 0;
            broadcastHeartbeat(readIndexQueue.lastContext());
        }
    }

    /** Whether a quorum of voters was heard from since the last check; starts the next check period. */
    private boolean checkQuorumActive() {
        int active = 0;
        for (long voter : confState.voters()) {
            Progress pr = progress.get(voter);
            if (voter == id || (pr != null && pr.recentActive)) active++;
        }
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getKey() != id) e.getValue().recentActive = false;
        }
        return active >= quorum();
    }

    // ---------------------------------------------------------------- elections

    private void hup(CampaignType type) {
        if (role == StateRole.LEADER || !promotable()) return;
        if (hasUnappliedConfChange()) return; // the configuration we would campaign in may be about to change
        if (type == CampaignType.PRE_ELECTION) {
            becomePreCandidate();
        } else {
            becomeCandidate();
        }
        MessageType voteType = type == CampaignType.PRE_ELECTION ? MessageType.PRE_VOTE : MessageType.VOTE;
        long voteTerm = type == CampaignType.PRE_ELECTION ? term + 1 : term;
        if (poll(id, true) == VoteResult.WON) {
            onElectionWon(type);
            return;
        }
        for (long voter : confState.voters()) {
            if (voter == id) continue;
            send(Message.builder(voteType).to(voter).term(voteTerm).index(log.lastIndex()).logTerm(log.lastTerm())
                .context(type == CampaignType.TRANSFER ? TRANSFER_CONTEXT : null).build());
        }
    }

    private void onElectionWon(CampaignType type) {
        if (type == CampaignType.PRE_ELECTION) {
            hup(CampaignType.ELECTION);
        } else {
            becomeLeader();
            broadcastAppend();
        }
    }

    private boolean hasUnappliedConfChange() {
        if (log.committed <= log.applied) return false;
        try {
            for (Entry e : log.slice(Math.max(log.applied + 1, log.firstIndex()), log.committed + 1, Long.MAX_VALUE)) {
                if (e.type() == EntryType.CONF_CHANGE) return true;
            }
        } catch (LogCompactedException | LogUnavailableException e) {
            return true;
        }
        return false;
    }

    private VoteResult poll(long from, boolean granted) {
        votes.putIfAbsent(from, granted);
        int yes = 0;
        int no = 0;
        for (long voter : confState.voters()) {
            Boolean v = votes.get(voter);
            if (v == null) continue;
            if (v) yes++; else no++;
        }
        if (yes >= quorum()) return VoteResult.WON;
        if (no >= quorum()) return VoteResult.LOST;
        return VoteResult.PENDING;
    }

    private void handleVoteRequest(Message m) {
        boolean preVote = m.type() == MessageType.PRE_VOTE;
        MessageType responseType = preVote ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
        boolean canVote = vote == m.from() || (vote == NONE && lead == NONE) || (preVote && m.term() > term);
        if (canVote && log.isUpToDate(m.index(), m.logTerm())) {
            // Answer in the requester's term: a granted pre-vote speaks of the term it would campaign in.
            send(Message.builder(responseType).to(m.from()).term(m.term()).build());
            if (!preVote) {
                electionElapsed = 0;
                vote = m.from();
            }
        } else {
            send(Message.builder(responseType).to(m.from()).term(term).reject(true).build());
        }
    }

    // ---------------------------------------------------------------- followers and candidates

    private void stepFollower(Message m) {
        switch (m.type()) {
            case PROPOSE -> forwardToLeader(m);
            case APPEND -> { electionElapsed = 0; lead = m.from(); handleAppend(m); }
            case HEARTBEAT -> { electionElapsed = 0; lead = m.from(); handleHeartbeat(m); }
            case SNAPSHOT -> { electionElapsed = 0; lead = m.from(); handleSnapshot(m); }
            case TRANSFER_LEADER -> { if (lead != NONE) send(m.withRoute(id, lead, term)); }
            case TIMEOUT_NOW -> hup(CampaignType.TRANSFER); // never pre-vote: the leader itself asked
            case READ_INDEX -> forwardToLeader(m);
            case READ_INDEX_RESPONSE -> readStates.add(new ReadState(m.index(), m.context()));
            default -> { } // responses to a role we no longer have
        }
    }

    /** Forwards a proposal or read request to the leader; returns why it was dropped, or null. */
    private String forwardToLeader(Message m) {
        if (lead == NONE) return "raft node " + id + " knows no leader in term " + term;
        if (m.type() == MessageType.PROPOSE && config.disableProposalForwarding()) {
            return "raft node " + id + " is a follower and proposal forwarding is disabled";
        }
        send(m.withRoute(id, lead, 0));
        return null;
    }

    private void stepCandidate(Message m) {
        MessageType myVoteResponse = role == StateRole.PRE_CANDIDATE
            ? MessageType.PRE_VOTE_RESPONSE : MessageType.VOTE_RESPONSE;
        switch (m.type()) {
            case APPEND -> { becomeFollower(m.term(), m.from()); handleAppend(m); }
            case HEARTBEAT -> { becomeFollower(m.term(), m.from()); handleHeartbeat(m); }
            case SNAPSHOT -> { becomeFollower(m.term(), m.from()); handleSnapshot(m); }
            case VOTE_RESPONSE, PRE_VOTE_RESPONSE -> {
                if (m.type() != myVoteResponse) return;
                switch (poll(m.from(), !m.reject())) {
                    case WON -> onElectionWon(role == StateRole.PRE_CANDIDATE
                        ? CampaignType.PRE_ELECTION : CampaignType.ELECTION);
                    case LOST -> becomeFollower(term, NONE);
                    case PENDING -> { }
                }
            }
            default -> { } // proposals and reads are dropped while campaigning
        }
    }

    private void handleAppend(Message m) {
        if (m.index() < log.committed) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.committed).build());
            return;
        }
        long lastNew = log.maybeAppend(m.index(), m.logTerm(), m.commit(), m.entries());
        if (lastNew >= 0) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(lastNew).build());
        } else {
            // Tell the leader where our logs may match: the last index whose term is not newer than its entry's.
            long hint = log.findConflictByTerm(Math.min(m.index(), log.lastIndex()), m.logTerm());
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(m.index()).reject(true)
                .rejectHint(hint).logTermHint(log.term(hint)).build());
        }
    }

    private void handleHeartbeat(Message m) {
        log.commitTo(Math.min(m.commit(), log.lastIndex()));
        send(Message.builder(MessageType.HEARTBEAT_RESPONSE).to(m.from()).index(m.index()).context(m.context())
            .build());
    }

    private void handleSnapshot(Message m) {
        Snapshot s = m.snapshot();
        if (s != null && restore(s)) {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.lastIndex()).build());
        } else {
            send(Message.builder(MessageType.APPEND_RESPONSE).to(m.from()).index(log.committed).build());
        }
    }

    /** Installs a leader's snapshot unless the log already covers it; returns whether it was installed. */
    private boolean restore(Snapshot s) {
        SnapshotMetadata meta = s.metadata();
        if (meta.index() <= log.committed) return false;
        if (log.matchTerm(meta.index(), meta.term())) {
            // We hold the snapshot's last entry, so everything before it matches: just commit up to it.
            log.commitTo(meta.index());
            return false;
        }
        log.restore(s);
        confState = meta.confState();
        return true;
    }

    // ---------------------------------------------------------------- leader

    private void stepLeader(Message m) {
        switch (m.type()) {
            case PROPOSE -> leaderPropose(m);
            case READ_INDEX -> leaderReadIndex(m);
            case APPEND_RESPONSE -> handleAppendResponse(m);
            case HEARTBEAT_RESPONSE -> handleHeartbeatResponse(m);
            case TRANSFER_LEADER -> handleTransferLeader(m);
            default -> { } // stale messages of other roles
        }
    }

    /** Appends a proposal and replicates it; returns why it was dropped, or null. */
    private String leaderPropose(Message m) {
        if (!progress.containsKey(id)) return "raft node " + id + " was removed from the configuration";
        if (leadTransferee != NONE) {
            return "raft node " + id + " is transferring leadership to " + leadTransferee;
        }
        long size = 0;
        List<Entry> entries = m.entries();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            size += e.data().length;
            if (e.type() == EntryType.CONF_CHANGE) {
                if (pendingConfIndex > log.applied) {
                    return "a configuration change at index " + pendingConfIndex + " is not yet applied (applied "
                        + log.applied + ")";
                }
                pendingConfIndex = log.lastIndex() + i + 1;
            }
        }
        if (config.maxUncommittedEntriesSize() > 0 && uncommittedSize > 0
            && uncommittedSize + size > config.maxUncommittedEntriesSize()) {
            return "uncommitted entries exceed " + config.maxUncommittedEntriesSize() + " bytes";
        }
        uncommittedSize += size;
        appendEntries(entries);
        broadcastAppend();
        return null;
    }

    private void appendEntries(List<Entry> entries) {
        long index = log.lastIndex();
        List<Entry> stamped = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            stamped.add(new Entry(++index, term, e.type(), e.data()));
        }
        log.append(stamped);
        // Our own match moves when the entries are persisted (leaderPersisted), not here.
    }

    /** Commits the highest index a quorum of voters holds, if it is from this term. */
    private boolean maybeCommit() {
        List<Long> voters = confState.voters();
        if (voters.isEmpty()) return false;
        long[] matches = new long[voters.size()];
        for (int i = 0; i < matches.length; i++) {
            Progress pr = progress.get(voters.get(i));
            matches[i] = pr == null ? 0 : pr.match;
        }
        Arrays.sort(matches);
        long quorumMatch = matches[matches.length - quorum()];
        boolean hadCurrentTermCommit = log.term(log.committed) == term;
        if (!log.maybeCommit(quorumMatch, term)) return false;
        if (!hadCurrentTermCommit) {
            List<Message> waiting = new ArrayList<>(readsAwaitingCommit);
            readsAwaitingCommit.clear();
            for (Message r : waiting) leaderReadIndex(r);
        }
        return true;
    }

    private void broadcastAppend() {
        for (long member : progress.keySet()) {
            if (member != id) sendAppend(member, true);
        }
    }

    /** Sends {@code to} the entries it lacks (or a snapshot); returns whether anything was sent. */
    private boolean sendAppend(long to, boolean evenIfEmpty) {
        Progress pr = progress.get(to);
        if (pr == null || pr.isPaused()) return false;
        long prevIndex = pr.next - 1;
        long prevTerm = log.term(prevIndex);
        List<Entry> entries = List.of();
        boolean compacted = prevTerm == 0 && prevIndex != 0;
        if (!compacted) {
            try {
                entries = log.slice(pr.next, log.lastIndex() + 1, config.maxSizePerMessage());
            } catch (LogCompactedException e) {
                compacted = true;
            }
        }
        if (compacted) return sendSnapshot(to, pr);
        if (entries.isEmpty() && !evenIfEmpty) return false;
        send(Message.builder(MessageType.APPEND).to(to).index(prevIndex).logTerm(prevTerm).entries(entries)
            .commit(log.committed).build());
        pr.sentEntries(entries.isEmpty() ? prevIndex : entries.get(entries.size() - 1).index(), entries.size());
        return true;
    }

    private boolean sendSnapshot(long to, Progress pr) {
        if (!pr.recentActive) return false; // it may be down: do not ship a snapshot into the void
        Snapshot snapshot;
        try {
            snapshot = log.snapshot();
        } catch (SnapshotTemporarilyUnavailableException e) {
            return false;
        }
        if (snapshot.isEmpty()) {
            throw new IllegalStateException("raft node " + id + ": node " + to + " needs entry " + pr.next
                + " which is compacted, but storage has no snapshot");
        }
        send(Message.builder(MessageType.SNAPSHOT).to(to).snapshot(snapshot).build());
        pr.becomeSnapshot(snapshot.metadata().index());
        pr.snapshotSentTick = clock;
        return true;
    }

    private void broadcastHeartbeat(byte[] context) {
        for (Map.Entry<Long, Progress> e : progress.entrySet()) {
            if (e.getKey() == id) continue;
            // Never tell a follower to commit beyond what it is known to hold.
            long commit = Math.min(e.getValue().match, log.committed);
            send(Message.builder(MessageType.HEARTBEAT).to(e.getKey()).commit(commit).index(clock).context(context)
                .build());
        }
    }

    private void handleAppendResponse(Message m) {
        Progress pr = progress.get(m.from());
        if (pr == null) return;
        pr.recentActive = true;
        if (m.reject()) {
            long next = m.rejectHint();
            if (m.logTermHint() > 0) next = log.findConflictByTerm(m.rejectHint(), m.logTermHint());
            if (pr.maybeDecreaseTo(m.index(), next)) {
                if (pr.state == Progress.State.REPLICATE) pr.becomeProbe();
                sendAppend(m.from(), true);
            }
            return;
        }
        boolean wasPaused = pr.isPaused();
        if (!pr.maybeUpdate(m.index())) {
            return;
        }
        switch (pr.state) {
            case PROBE -> pr.becomeReplicate();
            case SNAPSHOT -> {
                if (pr.match >= pr.pendingSnapshot) {
                    pr.becomeProbe();
                    pr.becomeReplicate();
                }
            }
            case REPLICATE -> pr.freeInflightsUpTo(m.index());
        }
        if (maybeCommit()) {
            broadcastAppend();
        } else if (wasPaused) {
            sendAppend(m.from(), true);
        }
        while (sendAppend(m.from(), false)) {
            // keep the pipeline full while the window allows
        }
        if (m.from() == leadTransferee && pr.match == log.lastIndex()) sendTimeoutNow(m.from());
    }

    private void handleHeartbeatResponse(Message m) {
        Progress pr = progress.get(m.from());
        if (pr == null) return;
        pr.recentActive = true;
        pr.probeSent = false;
        pr.leaseAckTick = Math.max(pr.leaseAckTick, m.index());
        if (pr.state == Progress.State.SNAPSHOT && clock - pr.snapshotSentTick >= 2L * config.electionTicks()) {
            // The follower is alive but neither its answer nor the driver's report came: the snapshot (or its
            // acknowledgement) was lost. Probe again rather than wait forever.
            pr.becomeProbe();
        }
        if (pr.state == Progress.State.REPLICATE && pr.inflightsFull() && !pr.inflights.isEmpty()) {
            pr.inflights.removeFirst(); // a lost APPEND must not stall the pipeline forever
        }
        if (pr.match < log.lastIndex()) sendAppend(m.from(), true);
        if (m.context().length == 0) return;
        Set<Long> acks = readIndexQueue.acknowledge(m.from(), m.context());
        if (acks == null) return;
        int voterAcks = 0;
        for (long voter : confState.voters()) {
            if (acks.contains(voter)) voterAcks++;
        }
        if (voterAcks < quorum()) return;
        for (ReadIndexQueue.Request r : readIndexQueue.release(m.context())) {
            answerRead(r.from(), r.index(), r.context());
        }
    }

    private void leaderReadIndex(Message m) {
        if (confState.voters().size() == 1 && promotable()) {
            answerRead(m.from(), log.committed, m.context());
            return;
        }
        if (log.term(log.committed) != term) {
            // Our commit index may lag the true one until an entry of our own term commits.
            readsAwaitingCommit.add(m);
            return;
        }
        if (config.readOnlyOption() == ReadOnlyOption.LEASE_BASED && hasLeaderLease()) {
            answerRead(m.from(), log.committed, m.context());
            return;
        }
        readIndexQueue.add(log.committed, m.from(), m.context());
        if (promotable()) readIndexQueue.acknowledge(id, m.context());
        broadcastHeartbeat(m.context());
    }

    private void answerRead(long to, long index, byte[] context) {
        if (to == id || to == NONE) {
            readStates.add(new ReadState(index, context));
        } else {
            send(Message.builder(MessageType.READ_INDEX_RESPONSE).to(to).index(index).context(context).build());
        }
    }

    private void handleTransferLeader(Message m) {
        long transferee = m.index();
        if (!confState.voters().contains(transferee) || transferee == id) return;
        if (leadTransferee == transferee) return; // already under way
        leadTransferee = transferee;
        electionElapsed = 0; // the transfer must finish within one election timeout
        Progress pr = progress.get(transferee);
        if (pr.match == log.lastIndex()) {
            sendTimeoutNow(transferee);
        } else {
            sendAppend(transferee, true);
        }
    }

    private void sendTimeoutNow(long to) {
        transferStarted = true;
        send(Message.builder(MessageType.TIMEOUT_NOW).to(to).build());
    }

    // ---------------------------------------------------------------- configuration

    private void applyConfChange(ConfChange change) {
        confState = confState.apply(change);
        if (role != StateRole.LEADER) return;
        for (long member : members()) {
            if (!progress.containsKey(member)) {
                Progress pr = new Progress(log.lastIndex() + 1, config.maxInflightMessages());
                pr.recentActive = true; // new members get a grace period before check-quorum counts them
                progress.put(member, pr);
            }
        }
        progress.keySet().removeIf(member -> !confState.isMember(member));
        if (!promotable()) {
            // Removed or demoted: leave leading to the remaining voters.
            becomeFollower(term, NONE);
            return;
        }
        if (leadTransferee != NONE && !confState.voters().contains(leadTransferee)) leadTransferee = NONE;
        maybeCommit(); // a smaller quorum may already hold more
        broadcastAppend();
    }

    // ---------------------------------------------------------------- sending

    private void send(Message m) {
        long msgTerm = switch (m.type()) {
            // Forwarded requests carry no term: the leader handles them whatever term it is in.
            case PROPOSE, READ_INDEX -> 0;
            // Vote traffic carries its own term (a pre-vote speaks of the next term).
            case VOTE, PRE_VOTE, VOTE_RESPONSE, PRE_VOTE_RESPONSE -> m.term();
            default -> term;
        };
        Message routed = m.withRoute(id, m.to(), msgTerm);
        boolean replication = m.type() == MessageType.APPEND || m.type() == MessageType.HEARTBEAT
            || m.type() == MessageType.SNAPSHOT;
        if (role == StateRole.LEADER && replication) {
            earlyMessages.add(routed);
        } else {
            messages.add(routed);
        }
    }
}
