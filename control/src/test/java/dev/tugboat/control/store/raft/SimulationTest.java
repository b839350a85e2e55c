package dev.tugboat.control.store.raft;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Runs the fault-injecting simulation over many seeds. A failure names its seed; rerun just that one with
 * {@code -Draft.seed=N -Draft.members=M} (and {@code -Dtest=SimulationTest}).
 */
class SimulationTest {

    private static final int STEPS = 3000;

    private static void runSeeds(int members, int count, long base) {
        String only = System.getProperty("raft.seed");
        if (only != null) {
            int m = Integer.getInteger("raft.members", members);
            if (m != members) return;
            Simulation sim = new Simulation(Long.parseLong(only), Simulation.Options.random(Long.parseLong(only), m,
                STEPS));
            sim.run();
            System.out.println(sim.summary());
            return;
        }
        int seeds = Integer.getInteger("raft.seeds", count);
        // Every seed runs even after one fails, so a long run names all the failing seeds at once.
        List<String> failures = new ArrayList<>();
        for (long seed = base; seed < base + seeds; seed++) {
            Simulation sim = new Simulation(seed, Simulation.Options.random(seed, members, STEPS));
            try {
                sim.run();
            } catch (AssertionError | RuntimeException e) {
                failures.add("seed " + seed + " (" + members + " members): " + e.getMessage());
            }
        }
        assertThat(failures).isEmpty();
    }

    @Test
    void sameSeedReplaysExactlyTheSameRun() {
        Simulation first = new Simulation(42, Simulation.Options.random(42, 5, STEPS));
        Simulation second = new Simulation(42, Simulation.Options.random(42, 5, STEPS));
        first.run();
        second.run();
        assertThat(second.fingerprint).isEqualTo(first.fingerprint);
        assertThat(second.summary()).isEqualTo(first.summary());
        Simulation other = new Simulation(43, Simulation.Options.random(43, 5, STEPS));
        other.run();
        assertThat(other.fingerprint).isNotEqualTo(first.fingerprint);
    }

    @Test
    void threeMemberClusterStaysSafeAndLinearizableUnderFaults() {
        runSeeds(3, 150, 1_000);
    }

    @Test
    void fiveMemberClusterStaysSafeAndLinearizableUnderFaults() {
        runSeeds(5, 60, 5_000);
    }
}
