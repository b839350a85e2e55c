package dev.tugboat.control.store.raft;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The cluster configuration: the voters (whose majority decides elections and commits) and the learners (which
 * receive the log but never vote). Both lists are sorted and disjoint.
 */
public record ConfState(List<Long> voters, List<Long> learners) {
    public static final ConfState EMPTY = new ConfState(List.of(), List.of());

    public ConfState {
        voters = List.copyOf(new TreeSet<>(Objects.requireNonNull(voters, "ConfState.voters")));
        learners = List.copyOf(new TreeSet<>(Objects.requireNonNull(learners, "ConfState.learners")));
        for (Long learner : learners) {
            if (voters.contains(learner)) {
                throw new IllegalArgumentException("ConfState: node " + learner + " is both voter and learner");
            }
        }
    }

    public static ConfState ofVoters(Long... voters) {
        return new ConfState(List.of(voters), List.of());
    }

    public boolean isMember(long id) {
        return voters.contains(id) || learners.contains(id);
    }

    /** The configuration after {@code change} is applied; a change that does not apply returns this unchanged. */
    public ConfState apply(ConfChange change) {
        TreeSet<Long> v = new TreeSet<>(voters);
        TreeSet<Long> l = new TreeSet<>(learners);
        long id = change.nodeId();
        switch (change.type()) {
            case ADD_VOTER -> { l.remove(id); v.add(id); }
            case ADD_LEARNER -> { if (!v.contains(id)) l.add(id); }
            case REMOVE_NODE -> { v.remove(id); l.remove(id); }
            case UPDATE_NODE -> { return this; }
        }
        return new ConfState(List.copyOf(v), List.copyOf(l));
    }
}
