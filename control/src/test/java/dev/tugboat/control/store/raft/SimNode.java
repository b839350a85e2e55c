package dev.tugboat.control.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * One simulated member: its durable storage survives crashes; the core, the state machine, the Ready being
 * persisted and the requests it serves do not.
 */
final class SimNode {

    final long id;
    final RaftConfig config;
    final MemoryStorage storage;
    RaftCore core;
    KvStateMachine stateMachine;
    /** The Ready taken from the core whose persistence is under way (it completes at {@code persistAt}). */
    Ready pending;
    long persistAt;
    /** The newest hard state the core handed out; the storage holds it only as of the last Ready that had to sync. */
    HardState latestHardState;
    long downUntil;
    long lastApplied;
    long leaderCheckedTerm = -1;
    final TreeMap<Long, Simulation.ClientOp> waitingWrites = new TreeMap<>();
    final TreeMap<Long, Simulation.ClientOp> waitingReads = new TreeMap<>();
    final List<ReadState> readStates = new ArrayList<>();

    SimNode(long id, RaftConfig config, MemoryStorage storage) {
        this.id = id;
        this.config = config;
        this.storage = storage;
    }

    boolean isUp() {
        return core != null;
    }

    void start(long seed) {
        core = new RaftCore(config, storage, new SplittableRandom(seed));
        Snapshot snap = storage.snapshot();
        stateMachine = KvStateMachine.restore(snap.data());
        lastApplied = snap.metadata().index();
        latestHardState = null;
        leaderCheckedTerm = -1;
    }

    void crash() {
        core = null;
        stateMachine = null;
        pending = null;
        waitingWrites.clear();
        waitingReads.clear();
        readStates.clear();
    }
}
