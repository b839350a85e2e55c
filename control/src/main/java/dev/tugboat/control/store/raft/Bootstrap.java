package dev.tugboat.control.store.raft;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * How a new cluster starts: every initial member's log begins with one committed {@link ConfChangeType#ADD_VOTER}
 * entry per initial voter, at term 1. The configuration is then part of the log itself, so a member that joins
 * later rebuilds it by replaying the log from the start, like everyone else.
 *
 * <p>The driver writes {@link #entries} and {@link #hardState} to the storage of each initial member before
 * creating its {@link RaftCore}; members that join later start from an empty storage.
 */
public final class Bootstrap {

    private Bootstrap() {
    }

    /** The first entries of every initial member's log (indexes 1..n, term 1, in ascending id order). */
    public static List<Entry> entries(List<Long> voters) {
        if (voters.isEmpty()) throw new IllegalArgumentException("Bootstrap: no voters");
        List<Entry> out = new ArrayList<>();
        long index = 0;
        for (long id : new TreeSet<>(voters)) {
            out.add(new Entry(++index, 1, EntryType.CONF_CHANGE, new ConfChange(ConfChangeType.ADD_VOTER, id).encode()));
        }
        return out;
    }

    /** The hard state that goes with {@link #entries}: term 1, no vote, all of them committed. */
    public static HardState hardState(List<Long> voters) {
        return new HardState(1, RaftCore.NONE, new TreeSet<>(voters).size());
    }
}
