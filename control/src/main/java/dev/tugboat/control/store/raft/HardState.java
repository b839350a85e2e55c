package dev.tugboat.control.store.raft;

/**
 * The state a member must keep on stable storage besides its log: its current term, whom it voted for in that term
 * ({@link RaftCore#NONE} if nobody), and the highest index it knows to be committed.
 */
public record HardState(long term, long vote, long commit) {
    public static final HardState EMPTY = new HardState(0, RaftCore.NONE, 0);

    public boolean isEmpty() {
        return equals(EMPTY);
    }
}
