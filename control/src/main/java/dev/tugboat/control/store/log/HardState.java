package dev.tugboat.control.store.log;

/**
 * The part of a Raft member's state that must survive a crash: its current term, whom it voted for in that term
 * (0 for nobody) and the highest index it knows to be committed.
 */
public record HardState(long term, long vote, long commit) {
  public static final HardState EMPTY = new HardState(0, 0, 0);

  /**
   * True if {@code this} may have been written after {@code other}. Terms only grow, a vote is cast at most once a
   * term and commit only grows, so the newer of two hard states is the larger in that order.
   */
  public boolean isNewerThan(HardState other) {
    if (term != other.term) {
      return term > other.term;
    }
    if ((vote != 0) != (other.vote != 0)) {
      return vote != 0;
    }
    return commit > other.commit;
  }
}
