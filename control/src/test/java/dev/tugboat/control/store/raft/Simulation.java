package dev.tugboat.control.store.raft;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * A seeded, deterministic simulation of a Raft cluster under faults, in the spirit of etcd's rafttest.
 *
 * <p>Time advances in steps; every {@link #STEPS_PER_TICK} steps each running member ticks. The network loses,
 * delays, reorders and duplicates messages and can be partitioned; members crash (losing the Ready they were
 * persisting, sometimes after writing part of its entries) and restart from their storage. Clients put and get
 * keys through the members. After every step the safety properties are checked; at the end faults stop, every
 * key is read once more, and the whole client history must be linearizable.
 *
 * <p>Everything random comes from one {@link SplittableRandom} seeded with {@code seed}, so a failing seed replays
 * exactly.
 */
final class Simulation {

    static final int STEPS_PER_TICK = 4;
    static final int ELECTION_TICKS = 10;
    static final int CLIENT_TIMEOUT_STEPS = 30 * STEPS_PER_TICK;
    static final List<String> KEYS = List.of("a", "b", "c");

    /** The fault and feature mix of one run, derived from the seed. */
    record Options(int members, int steps, double lossRate, double duplicateRate, int maxDelay, double crashRate,
                   double tornWriteRate, double partitionRate, double leaderFaultRate, int clients,
                   boolean preVote, boolean checkQuorum,
                   ReadOnlyOption readOnlyOption, int snapshotEvery, int maxInflight, long maxSizePerMessage,
                   boolean membershipChanges, boolean transfers) {

        static Options random(long seed, int members, int steps) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5DEECE66DL);
            boolean checkQuorum = r.nextBoolean() || r.nextBoolean();
            return new Options(members, steps,
                pick(r, 0.0, 0.02, 0.1),
                pick(r, 0.0, 0.0, 0.02),
                (int) pick(r, 2, 6, 12),
                pick(r, 0.0, 0.001, 0.003),
                pick(r, 0.0, 0.5),
                pick(r, 0.0, 0.002, 0.005),
                pick(r, 0.0, 0.002, 0.006),
                1 + r.nextInt(4),
                r.nextInt(4) != 0,
                checkQuorum,
                checkQuorum && r.nextBoolean() ? ReadOnlyOption.LEASE_BASED : ReadOnlyOption.SAFE,
                (int) pick(r, 0, 8, 40),
                (int) pick(r, 1, 4, 256),
                (long) pick(r, 64, 1024 * 1024),
                r.nextInt(3) == 0,
                r.nextInt(3) == 0);
        }

        private static double pick(SplittableRandom r, double... choices) {
            return choices[r.nextInt(choices.length)];
        }
    }

    /** One client operation; {@code returned} stays UNKNOWN until the client hears the outcome. */
    static final class ClientOp {
        final long client;
        final long opId;
        final boolean isPut;
        final String key;
        String value;
        final long invoked;
        long returned = KvOperation.UNKNOWN;
        /** A get the client gave up on: it says nothing and is left out of the history. */
        boolean abandoned;

        ClientOp(long client, long opId, boolean isPut, String key, String value, long invoked) {
            this.client = client;
            this.opId = opId;
            this.isPut = isPut;
            this.key = key;
            this.value = value;
            this.invoked = invoked;
        }

        KvOperation toOperation() {
            return new KvOperation(client, isPut, key, value, invoked, returned);
        }
    }

    private static final class Client {
        final long id;
        ClientOp current;
        long deadline;
        /** The member the client believes leads; it sticks to it until that fails, as real clients do. */
        long leaderHint;
        /** Out of 10 operations, how many are gets: some clients mostly read, some mostly write. */
        final int readsInTen;

        Client(long id, int readsInTen) {
            this.id = id;
            this.readsInTen = readsInTen;
        }
    }

    /** A message on the wire; a {@code lost} snapshot is kept only so its sender hears of the failure. */
    private record InFlight(long deliverAt, long order, Message message, boolean lost) {
    }

    /** An entry some member applied, and an upper bound on the term in which it was committed. */
    private record Committed(Entry entry, long termBound) {
    }

    private final long seed;
    private final Options options;
    private final SplittableRandom rng;
    private final TreeMap<Long, SimNode> nodes = new TreeMap<>();
    private final PriorityQueue<InFlight> network = new PriorityQueue<>(
        Comparator.comparingLong(InFlight::deliverAt).thenComparingLong(InFlight::order));
    private final TreeMap<Long, Integer> partition = new TreeMap<>();
    private long partitionUntil;
    private final List<Client> clients = new ArrayList<>();
    private final List<ClientOp> history = new ArrayList<>();
    private final TreeMap<Long, Long> leaderOfTerm = new TreeMap<>();
    private final TreeMap<Long, Committed> committed = new TreeMap<>();
    /** For each put operation, when a member first applied it (event clock). */
    private final TreeMap<Long, Long> firstAppliedAt = new TreeMap<>();
    private long now;
    /** Orders every invocation and response, finer than steps. */
    private long eventClock;
    private long opCounter;
    private boolean faultsOn = true;
    private boolean clientsOn = true;
    private long pendingConfChangeUntil;
    /** Counters for the run summary. */
    int elections;
    int crashes;
    int snapshotsSent;
    int confChanges;
    int transfers;
    int readsByDeposedLeaders;
    /** A hash of every message delivered, in order: equal for two runs of the same seed. */
    long fingerprint;

    Simulation(long seed, Options options) {
        this.seed = seed;
        this.options = options;
        this.rng = new SplittableRandom(seed);
        List<Long> voters = new ArrayList<>();
        for (int i = 0; i < options.members(); i++) voters.add((long) i + 1);
        // With membership changes, one more member starts outside the cluster, to be added later.
        int total = options.members() + (options.membershipChanges() ? 1 : 0);
        for (long id = 1; id <= total; id++) {
            RaftConfig config = new RaftConfig(id, ELECTION_TICKS, 1, options.maxSizePerMessage(),
                options.maxInflight(), 0, options.checkQuorum(), options.preVote(), options.readOnlyOption(), false);
            MemoryStorage storage = voters.contains(id) ? MemoryStorage.bootstrap(voters) : MemoryStorage.joining();
            SimNode node = new SimNode(id, config, storage);
            node.start(rng.nextLong());
            nodes.put(id, node);
            partition.put(id, 0);
        }
        for (int c = 0; c < options.clients(); c++) clients.add(new Client(c + 1, 1 + rng.nextInt(9)));
    }

    /** Runs the whole scenario; throws AssertionError naming the seed on any violation. */
    void run() {
        try {
            for (int i = 0; i < options.steps(); i++) step();
            quiesce();
            checkLogMatching();
            List<KvOperation> ops = new ArrayList<>();
            for (ClientOp op : history) {
                // A get without an answer says nothing.
                if (!op.isPut && (op.abandoned || op.returned == KvOperation.UNKNOWN)) continue;
                if (op.isPut && op.returned == KvOperation.UNKNOWN) {
                    // A put whose client gave up: it never happened if it was never committed; otherwise it took
                    // effect (at its commit) before anyone applied it. This only narrows what the checker allows.
                    Long firstApplied = firstAppliedAt.get(op.opId);
                    if (firstApplied == null) continue;
                    ops.add(new KvOperation(op.client, true, op.key, op.value, op.invoked, firstApplied));
                    continue;
                }
                ops.add(op.toOperation());
            }
            LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops);
            if (!result.linearizable()) fail(result.toString());
        } catch (AssertionError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AssertionError(describe() + ": " + e, e);
        }
    }

    String describe() {
        return "seed=" + seed + " (rerun with -Draft.seed=" + seed + " -Draft.members=" + options.members() + ") "
            + options;
    }

    private void fail(String what) {
        StringBuilder s = new StringBuilder(describe()).append(" at step ").append(now).append(": ").append(what);
        for (SimNode n : nodes.values()) {
            s.append("\n  ").append(n.isUp() ? n.core.toString() : "node " + n.id + " down");
        }
        throw new AssertionError(s.toString());
    }

    // ---------------------------------------------------------------- the step

    private void step() {
        now++;
        if (faultsOn) injectFaults();
        if (now % STEPS_PER_TICK == 0) {
            for (SimNode n : nodes.values()) {
                if (n.isUp()) n.core.tick();
            }
        }
        deliverDueMessages();
        runClients();
        if (faultsOn) administer();
        for (SimNode n : nodes.values()) {
            if (n.isUp()) processReady(n);
        }
        checkLeaders();
        if (now % 500 == 0) checkLogMatching();
    }

    private void injectFaults() {
        for (SimNode n : nodes.values()) {
            if (n.isUp()) {
                if (rng.nextDouble() < options.crashRate()) crash(n);
            } else if (now >= n.downUntil) {
                n.start(rng.nextLong());
            }
        }
        if (now >= partitionUntil && partition.values().stream().anyMatch(g -> g != 0)) {
            partition.replaceAll((id, g) -> 0);
        }
        if (rng.nextDouble() < options.partitionRate()) {
            for (Long id : partition.keySet()) partition.put(id, rng.nextInt(2));
            partitionUntil = now + 50 + rng.nextInt(300);
        }
        SimNode leader = currentLeader();
        if (leader != null && rng.nextDouble() < options.leaderFaultRate()) {
            if (rng.nextBoolean()) {
                crash(leader);
            } else {
                // Cut the leader off with at most a minority, leaving clients talking to a deposed leader.
                partition.replaceAll((id, g) -> 0);
                partition.put(leader.id, 1);
                List<Long> others = new ArrayList<>(partition.keySet());
                others.remove(leader.id);
                int voters = leader.core.confState().voters().size();
                for (int k = rng.nextInt(Math.max(1, (voters - 1) / 2)); k > 0; k--) {
                    partition.put(others.remove(rng.nextInt(others.size())), 1);
                }
                partitionUntil = now + 50 + rng.nextInt(300);
            }
        }
    }

    private void crash(SimNode n) {
        crashes++;
        if (n.pending != null && rng.nextDouble() < options.tornWriteRate()) {
            // Power fails in the middle of persisting: the snapshot and a prefix of the entries made it to disk,
            // the hard state did not. Nothing was sent or applied yet.
            if (n.pending.snapshot() != null) n.storage.applySnapshot(n.pending.snapshot());
            List<Entry> entries = n.pending.entries();
            n.storage.append(entries.subList(0, rng.nextInt(entries.size() + 1)));
        }
        n.crash();
        n.downUntil = now + 20 + rng.nextInt(200);
    }

    private boolean connected(long a, long b) {
        return partition.get(a).equals(partition.get(b));
    }

    private void send(Message m) {
        boolean lost = (faultsOn && rng.nextDouble() < options.lossRate()) || !connected(m.from(), m.to());
        if (m.type() == MessageType.SNAPSHOT) {
            snapshotsSent++;
            // The transport streams snapshots and learns whether that worked, so the sender hears either way.
            if (lost) network.add(new InFlight(now + 1 + rng.nextInt(options.maxDelay()), rng.nextLong(), m, true));
        }
        if (lost) {
            if (!connected(m.from(), m.to()) && m.type() == MessageType.APPEND) {
                // A transport notices a broken connection, unlike a lost packet.
                SimNode from = nodes.get(m.from());
                if (from.isUp()) from.core.reportUnreachable(m.to());
            }
            return;
        }
        int copies = faultsOn && rng.nextDouble() < options.duplicateRate() ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            long delay = 1 + rng.nextInt(options.maxDelay());
            if (faultsOn && rng.nextInt(50) == 0) delay += rng.nextInt(100); // a straggler, to reorder
            network.add(new InFlight(now + delay, rng.nextLong(), m, false));
        }
    }

    private void reportSnapshot(Message m, SnapshotStatus status) {
        SimNode from = nodes.get(m.from());
        if (from.isUp()) from.core.reportSnapshot(m.to(), status);
    }

    private void deliverDueMessages() {
        while (!network.isEmpty() && network.peek().deliverAt() <= now) {
            InFlight f = network.poll();
            Message m = f.message();
            SimNode to = nodes.get(m.to());
            boolean deliverable = !f.lost() && to.isUp() && connected(m.from(), m.to());
            if (deliverable) {
                to.core.step(m);
                fingerprint = fingerprint * 31 + m.toString().hashCode();
            }
            if (m.type() == MessageType.SNAPSHOT) {
                reportSnapshot(m, deliverable ? SnapshotStatus.FINISHED : SnapshotStatus.FAILED);
            }
        }
    }

    // ---------------------------------------------------------------- persisting and applying

    private void processReady(SimNode n) {
        if (n.pending != null && now >= n.persistAt) {
            complete(n, n.pending);
            n.pending = null;
        }
        if (n.pending == null && n.core.hasReady()) {
            n.pending = n.core.ready();
            // A leader's appends leave before its own write; a crash before persistAt loses only the write.
            for (Message m : n.pending.earlyMessages()) send(m);
            n.persistAt = now + rng.nextInt(3);
            if (n.persistAt == now) {
                complete(n, n.pending);
                n.pending = null;
            }
        }
    }

    private void complete(SimNode n, Ready rd) {
        if (rd.snapshot() != null) {
            n.storage.applySnapshot(rd.snapshot());
            Committed c = committed.get(rd.snapshot().metadata().index());
            if (c != null && c.entry().term() != rd.snapshot().metadata().term()) {
                fail("node " + n.id + " installs snapshot " + rd.snapshot().metadata() + " but entry "
                    + c.entry() + " was applied elsewhere");
            }
            n.stateMachine = KvStateMachine.restore(rd.snapshot().data());
            n.lastApplied = rd.snapshot().metadata().index();
        }
        n.storage.append(rd.entries());
        // As RaftNode and LogStorage do: term and vote are written when they change, the commit index only with
        // entries (the newest one the core handed out); a Ready that only moves the commit index writes nothing, so a
        // restart may find an older commit index.
        if (rd.hardState() != null) n.latestHardState = rd.hardState();
        HardState stored = n.storage.initialState().hardState();
        if (n.latestHardState != null && (!rd.entries().isEmpty() || n.latestHardState.term() != stored.term()
                || n.latestHardState.vote() != stored.vote())) {
            n.storage.setHardState(n.latestHardState);
        }
        for (Message m : rd.messages()) send(m);
        for (Entry e : rd.committedEntries()) apply(n, e);
        n.readStates.addAll(rd.readStates());
        n.core.advance(rd);
        serveReads(n);
        maybeSnapshot(n);
    }

    private void apply(SimNode n, Entry e) {
        if (e.index() != n.lastApplied + 1) {
            fail("node " + n.id + " applies " + e + " after " + n.lastApplied);
        }
        n.lastApplied = e.index();
        Committed c = committed.get(e.index());
        if (c == null) {
            committed.put(e.index(), new Committed(e, n.core.term()));
        } else if (!c.entry().equals(e)) {
            fail("state machine safety: node " + n.id + " applies " + e + " where another applied " + c.entry());
        }
        if (e.type() != EntryType.NORMAL || e.data().length == 0) return;
        KvStateMachine.Put put = KvStateMachine.Put.decode(e.data());
        n.stateMachine.apply(put);
        firstAppliedAt.putIfAbsent(put.opId(), ++eventClock);
        ClientOp op = n.waitingWrites.remove(put.opId());
        if (op != null) respond(op);
    }

    private void serveReads(SimNode n) {
        for (var it = n.readStates.iterator(); it.hasNext(); ) {
            ReadState rs = it.next();
            if (rs.index() > n.lastApplied) continue;
            it.remove();
            ClientOp op = n.waitingReads.remove(ByteBuffer.wrap(rs.requestContext()).getLong());
            if (op == null) continue;
            op.value = n.stateMachine.get(op.key);
            if (n.core.role() == StateRole.LEADER && currentLeader() != n) readsByDeposedLeaders++;
            respond(op);
        }
    }

    private void respond(ClientOp op) {
        Client client = clients.stream().filter(c -> c.id == op.client).findFirst().orElse(finalClient);
        if (client.current != op) return; // the client gave up already
        op.returned = ++eventClock;
        client.current = null;
    }

    private void maybeSnapshot(SimNode n) {
        if (options.snapshotEvery() == 0) return;
        long snapIndex = n.storage.snapshot().metadata().index();
        if (n.lastApplied - snapIndex < options.snapshotEvery()) return;
        n.storage.createSnapshot(n.lastApplied, n.core.confState(), n.stateMachine.snapshot());
        n.storage.compact(n.lastApplied - Math.min(n.lastApplied, 2));
    }

    // ---------------------------------------------------------------- clients

    private final Client finalClient = new Client(0, 10);

    private void runClients() {
        for (Client c : clients) {
            if (c.current != null && now > c.deadline) giveUp(c);
            if (clientsOn && c.current == null && rng.nextInt(4) == 0) {
                submit(c, rng.nextInt(10) < c.readsInTen ? null : "v", KEYS.get(rng.nextInt(KEYS.size())));
            }
        }
        if (finalClient.current != null && now > finalClient.deadline) giveUp(finalClient);
    }

    private void giveUp(Client c) {
        if (!c.current.isPut) c.current.abandoned = true;
        c.current = null;
        c.leaderHint = RaftCore.NONE;
    }

    /** Starts a put (when {@code putPrefix} is non-null) or a get; returns whether it was accepted. */
    private boolean submit(Client c, String putPrefix, String key) {
        SimNode target = c.leaderHint == RaftCore.NONE ? null : nodes.get(c.leaderHint);
        if (target == null || !target.isUp()) target = pickTarget();
        if (target == null) return false;
        c.leaderHint = target.id;
        long opId = ++opCounter;
        boolean isPut = putPrefix != null;
        ClientOp op = new ClientOp(c.id, opId, isPut, key, isPut ? putPrefix + opId : null, ++eventClock);
        try {
            if (isPut) {
                target.core.propose(new KvStateMachine.Put(opId, key, op.value).encode());
                target.waitingWrites.put(opId, op);
            } else {
                target.core.readIndex(ByteBuffer.allocate(8).putLong(opId).array());
                target.waitingReads.put(opId, op);
            }
        } catch (ProposalDroppedException e) {
            c.leaderHint = RaftCore.NONE;
            return false; // refused outright: it never entered any log
        }
        history.add(op);
        c.current = op;
        c.deadline = now + CLIENT_TIMEOUT_STEPS;
        return true;
    }

    /**
     * Where a client turns when it knows no leader: the newest leader (found by redirects in practice), any member
     * that believes it leads (perhaps deposed without knowing), or any member (which forwards).
     */
    private SimNode pickTarget() {
        List<SimNode> up = nodes.values().stream().filter(SimNode::isUp).toList();
        if (up.isEmpty()) return null;
        List<SimNode> leaders = up.stream().filter(n -> n.core.role() == StateRole.LEADER).toList();
        int choice = rng.nextInt(10);
        if (choice < 6 && currentLeader() != null) return currentLeader();
        if (choice < 8 && !leaders.isEmpty()) return leaders.get(rng.nextInt(leaders.size()));
        return up.get(rng.nextInt(up.size()));
    }

    private SimNode currentLeader() {
        SimNode best = null;
        for (SimNode n : nodes.values()) {
            if (n.isUp() && n.core.role() == StateRole.LEADER && (best == null || n.core.term() > best.core.term())) {
                best = n;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- membership and transfer

    private void administer() {
        SimNode leader = currentLeader();
        if (leader == null) return;
        if (options.transfers() && rng.nextInt(400) == 0) {
            List<Long> voters = leader.core.confState().voters();
            long target = voters.get(rng.nextInt(voters.size()));
            if (target != leader.id) {
                transfers++;
                leader.core.transferLeadership(target);
            }
        }
        if (!options.membershipChanges() || now < pendingConfChangeUntil || rng.nextInt(300) != 0) return;
        ConfState cs = leader.core.confState();
        List<ConfChange> candidates = new ArrayList<>();
        for (long id : nodes.keySet()) {
            if (cs.voters().contains(id)) {
                if (cs.voters().size() > 2) {
                    candidates.add(new ConfChange(ConfChangeType.REMOVE_NODE, id));
                    candidates.add(new ConfChange(ConfChangeType.ADD_LEARNER, id)); // no-op for a voter
                }
            } else if (cs.learners().contains(id)) {
                candidates.add(new ConfChange(ConfChangeType.ADD_VOTER, id));
                candidates.add(new ConfChange(ConfChangeType.REMOVE_NODE, id));
            } else {
                candidates.add(new ConfChange(ConfChangeType.ADD_LEARNER, id));
                candidates.add(new ConfChange(ConfChangeType.ADD_VOTER, id));
            }
        }
        ConfChange change = candidates.get(rng.nextInt(candidates.size()));
        try {
            leader.core.proposeConfChange(change);
            confChanges++;
            pendingConfChangeUntil = now + 20 * STEPS_PER_TICK;
        } catch (ProposalDroppedException e) {
            // one is still pending: try later
        }
    }

    // ---------------------------------------------------------------- the end

    /** Stops the faults, brings everyone back, reads every key once more, and waits for all to converge. */
    private void quiesce() {
        faultsOn = false;
        clientsOn = false;
        partition.replaceAll((id, g) -> 0);
        for (SimNode n : nodes.values()) {
            if (!n.isUp()) n.start(rng.nextLong());
        }
        long limit = now + 5000L * STEPS_PER_TICK;
        for (String key : KEYS) {
            while (true) {
                if (now > limit) fail("no progress: the final read of " + key + " did not complete after healing");
                if (finalClient.current == null && !lastFinalReadDone(key)) submit(finalClient, null, key);
                step();
                if (lastFinalReadDone(key)) break;
            }
        }
        // Every member of the final configuration catches up with the leader.
        while (true) {
            if (now > limit) fail("no convergence after healing");
            SimNode leader = currentLeader();
            step();
            if (leader == null || leader.core.role() != StateRole.LEADER) continue;
            long commit = leader.core.committedIndex();
            // A new leader knows the true commit index only once an entry of its own term is committed.
            boolean caughtUp = leader.core.termAt(commit) == leader.core.term() && leader.lastApplied == commit;
            for (SimNode n : nodes.values()) {
                if (leader.core.confState().isMember(n.id)
                    && (n.lastApplied < commit || n.core.term() != leader.core.term())) {
                    caughtUp = false;
                }
            }
            if (!caughtUp) continue;
            for (ClientOp op : history) {
                if (!op.isPut || op.returned == KvOperation.UNKNOWN) continue;
                for (long id : leader.core.confState().voters()) {
                    if (!nodes.get(id).stateMachine.hasApplied(op.opId)) {
                        fail("acknowledged write " + op.toOperation() + " is missing on node " + id);
                    }
                }
            }
            return;
        }
    }

    private boolean lastFinalReadDone(String key) {
        for (int i = history.size() - 1; i >= 0; i--) {
            ClientOp op = history.get(i);
            if (op.client == 0 && op.key.equals(key) && !op.abandoned) return op.returned != KvOperation.UNKNOWN;
        }
        return false;
    }

    // ---------------------------------------------------------------- safety

    private void checkLeaders() {
        for (SimNode n : nodes.values()) {
            if (!n.isUp() || n.core.role() != StateRole.LEADER) continue;
            long term = n.core.term();
            Long previous = leaderOfTerm.putIfAbsent(term, n.id);
            if (previous != null && previous != n.id) {
                fail("election safety: nodes " + previous + " and " + n.id + " both lead term " + term);
            }
            if (n.leaderCheckedTerm == term) continue;
            n.leaderCheckedTerm = term;
            elections++;
            // Leader completeness: every entry committed in an earlier term is in the new leader's log.
            for (Map.Entry<Long, Committed> e : committed.tailMap(n.core.firstIndex(), true).entrySet()) {
                Committed c = e.getValue();
                if (c.termBound() < term && n.core.termAt(e.getKey()) != c.entry().term()) {
                    fail("leader completeness: node " + n.id + " leads term " + term + " without committed "
                        + c.entry() + " (has term " + n.core.termAt(e.getKey()) + ")");
                }
            }
        }
    }

    /** Log matching: two persisted logs that agree on an entry's term agree on every entry before it. */
    private void checkLogMatching() {
        List<SimNode> all = new ArrayList<>(nodes.values());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                MemoryStorage a = all.get(i).storage;
                MemoryStorage b = all.get(j).storage;
                long lo = Math.max(a.firstIndex(), b.firstIndex());
                long hi = Math.min(a.lastIndex(), b.lastIndex());
                if (lo > hi) continue;
                List<Entry> ea = a.entries(lo, hi + 1, Long.MAX_VALUE);
                List<Entry> eb = b.entries(lo, hi + 1, Long.MAX_VALUE);
                boolean matchedAbove = false;
                for (int k = ea.size() - 1; k >= 0; k--) {
                    if (ea.get(k).term() == eb.get(k).term()) matchedAbove = true;
                    if (matchedAbove && !ea.get(k).equals(eb.get(k))) {
                        fail("log matching: nodes " + all.get(i).id + " and " + all.get(j).id + " differ at "
                            + ea.get(k) + " vs " + eb.get(k) + " below a matching entry");
                    }
                }
            }
        }
    }

    String summary() {
        long acked = history.stream().filter(o -> o.returned != KvOperation.UNKNOWN).count();
        return "seed " + seed + ": " + history.size() + " ops (" + acked + " acked), " + elections + " leaders, "
            + crashes + " crashes, " + snapshotsSent + " snapshots sent, " + confChanges + " conf changes, "
            + transfers + " transfers, " + readsByDeposedLeaders + " reads served by deposed leaders, last index " + nodes.values().stream()
            .mapToLong(n -> n.storage.lastIndex()).max().orElse(0);
    }
}
