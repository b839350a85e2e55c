package dev.tugboat.control.store.raft;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * A few members wired by a perfect, synchronous network for unit tests: each step delivers every message produced
 * until the cluster is quiet, except those the test drops.
 */
final class TestCluster {

    /** One member: its core, its "disk" and what it applied. */
    static final class Member {
        final long id;
        final RaftConfig config;
        MemoryStorage storage;
        RaftCore core;
        final List<Entry> applied = new ArrayList<>();
        final List<ReadState> readStates = new ArrayList<>();
        final List<Snapshot> installedSnapshots = new ArrayList<>();

        Member(long id, RaftConfig config, MemoryStorage storage, long seed) {
            this.id = id;
            this.config = config;
            this.storage = storage;
            this.core = new RaftCore(config, storage, new SplittableRandom(seed));
        }

        /** Data of applied NORMAL entries that are not empty (leader no-ops), as strings. */
        List<String> appliedData() {
            List<String> out = new ArrayList<>();
            for (Entry e : applied) {
                if (e.type() == EntryType.NORMAL && e.data().length > 0) {
                    out.add(new String(e.data(), StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }

    final Map<Long, Member> members = new TreeMap<>();
    /** Messages matching this are dropped in flight. */
    Predicate<Message> drop = m -> false;
    /** Every message delivered so far, in order. */
    final List<Message> delivered = new ArrayList<>();

    TestCluster(LongFunction<RaftConfig> config, long... ids) {
        this(false, config, ids);
    }

    /**
     * A cluster of {@code ids}; with {@code logBootstrap} the configuration is in the first log entries (so members
     * can join later), otherwise it precedes an empty log (so tests can count indexes from 1).
     */
    TestCluster(boolean logBootstrap, LongFunction<RaftConfig> config, long... ids) {
        Long[] voters = Arrays.stream(ids).boxed().toArray(Long[]::new);
        for (long id : ids) {
            MemoryStorage storage = logBootstrap
                ? MemoryStorage.bootstrap(List.of(voters)) : new MemoryStorage(ConfState.ofVoters(voters));
            members.put(id, new Member(id, config.apply(id), storage, id));
        }
        if (logBootstrap) {
            for (Member m : members.values()) processReady(m); // apply the bootstrap configuration
        }
    }

    static TestCluster of(long... ids) {
        return new TestCluster(id -> RaftConfig.defaults(id).withElectionTicks(10, 1), ids);
    }

    /** A cluster bootstrapped through its log, which members can join later. */
    static TestCluster growable(long... ids) {
        return new TestCluster(true, id -> RaftConfig.defaults(id).withElectionTicks(10, 1), ids);
    }

    Member member(long id) {
        return members.get(id);
    }

    RaftCore core(long id) {
        return members.get(id).core;
    }

    /** Adds a member that starts with an empty log and no configuration (it learns both from the leader). */
    Member addBlankMember(long id) {
        RaftConfig base = members.values().iterator().next().config;
        Member created = new Member(id, withId(base, id), MemoryStorage.joining(), id);
        members.put(id, created);
        return created;
    }

    private static RaftConfig withId(RaftConfig c, long id) {
        return new RaftConfig(id, c.electionTicks(), c.heartbeatTicks(), c.maxSizePerMessage(),
            c.maxInflightMessages(), c.maxUncommittedEntriesSize(), c.checkQuorum(), c.preVote(),
            c.readOnlyOption(), c.disableProposalForwarding());
    }

    /** Restarts a member from its storage, as after a crash with everything persisted. */
    void restart(long id) {
        Member m = members.get(id);
        m.core = new RaftCore(m.config, m.storage, new SplittableRandom(id * 31));
    }

    /** Processes the member's Ready as a driver would and returns the messages to send. */
    List<Message> processReady(Member m) {
        List<Message> out = new ArrayList<>();
        while (m.core.hasReady()) {
            Ready rd = m.core.ready();
            out.addAll(rd.earlyMessages());
            if (rd.snapshot() != null) {
                m.storage.applySnapshot(rd.snapshot());
                m.installedSnapshots.add(rd.snapshot());
                m.applied.clear();
            }
            m.storage.append(rd.entries());
            if (rd.hardState() != null) m.storage.setHardState(rd.hardState());
            out.addAll(rd.messages());
            m.applied.addAll(rd.committedEntries());
            m.readStates.addAll(rd.readStates());
            m.core.advance(rd);
        }
        return out;
    }

    /** Delivers messages until no member has anything more to say. */
    void settle() {
        for (int round = 0; round < 10_000; round++) {
            List<Message> inFlight = new ArrayList<>();
            for (Member m : members.values()) inFlight.addAll(processReady(m));
            if (inFlight.isEmpty()) return;
            for (Message msg : inFlight) deliver(msg);
        }
        throw new AssertionError("cluster did not settle");
    }

    /** Collects every member's output without delivering it. */
    List<Message> collect() {
        List<Message> out = new ArrayList<>();
        for (Member m : members.values()) out.addAll(processReady(m));
        return out;
    }

    void deliver(Message msg) {
        Member to = members.get(msg.to());
        if (to == null || drop.test(msg)) return;
        delivered.add(msg);
        to.core.step(msg);
    }

    void tick(long id, int times) {
        for (int i = 0; i < times; i++) {
            core(id).tick();
        }
    }

    void tickAll(int times) {
        for (int i = 0; i < times; i++) {
            for (Member m : members.values()) m.core.tick();
            settle();
        }
    }

    /** Makes {@code id} campaign and lets the election run to its end. */
    void elect(long id) {
        core(id).campaign();
        settle();
    }

    void propose(long id, String data) {
        core(id).propose(data.getBytes(StandardCharsets.UTF_8));
        settle();
    }

    /** Cuts {@code id} off: every message to or from it is lost. */
    void isolate(long id) {
        drop = m -> m.to() == id || m.from() == id;
    }

    void heal() {
        drop = m -> false;
    }

    long leaderId() {
        long leader = RaftCore.NONE;
        long bestTerm = -1;
        for (Member m : members.values()) {
            if (m.core.role() == StateRole.LEADER && m.core.term() > bestTerm) {
                leader = m.id;
                bestTerm = m.core.term();
            }
        }
        return leader;
    }
}
