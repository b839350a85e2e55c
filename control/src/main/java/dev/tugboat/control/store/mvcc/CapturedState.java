package dev.tugboat.control.store.mvcc;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * The store's state captured at one applied index ({@link StoreStateMachine#captureSnapshot}), written later on any
 * thread: as Tugboat's own snapshot stream, or straight into etcd's backend for a client's snapshot, without a
 * second copy of the state in between.
 */
public final class CapturedState implements StoreStateMachine.SnapshotWriter {
  private final StateSnapshot state;

  CapturedState(StateSnapshot state) {
    this.state = state;
  }

  /** The index of the last command applied when the state was captured. */
  public long appliedIndex() {
    return state.appliedIndex();
  }

  @Override
  public void writeTo(OutputStream out) throws IOException {
    state.writeTo(out);
  }

  /**
   * Writes the state as etcd 3.4's backend (see {@link EtcdBackend}).
   *
   * @param consistentIndex the Raft index the state is at
   * @return the database's size in bytes
   */
  public long writeEtcdBackend(long consistentIndex, List<EtcdBackend.Member> members, FileChannel out)
      throws IOException {
    return EtcdBackend.write(state, consistentIndex, members, out);
  }
}
