package dev.tugboat.control.store.replication;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The simplest real state machine: the list of commands applied, in order. Its result for a command is the
 * position the command took; a command "fail" fails deterministically.
 */
final class CommandListStateMachine implements ReplicatedStateMachine {
  private final List<byte[]> commands = new ArrayList<>();
  private long appliedIndex;

  @Override
  public synchronized Object apply(long index, byte[] data, int offset, int length) {
    byte[] command = java.util.Arrays.copyOfRange(data, offset, offset + length);
    if (index <= appliedIndex) {
      return null;
    }
    appliedIndex = index;
    if (new String(command).equals("fail")) {
      return new IllegalStateException("command at " + index + " fails");
    }
    commands.add(command);
    return (long) commands.size();
  }

  @Override
  public synchronized long appliedIndex() {
    return appliedIndex;
  }

  synchronized List<String> commands() {
    return commands.stream().map(String::new).toList();
  }

  @Override
  public synchronized void writeSnapshot(OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    data.writeLong(appliedIndex);
    data.writeInt(commands.size());
    for (byte[] c : commands) {
      data.writeInt(c.length);
      data.write(c);
    }
    data.flush();
  }

  @Override
  public synchronized void restoreSnapshot(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    appliedIndex = data.readLong();
    int n = data.readInt();
    commands.clear();
    for (int i = 0; i < n; i++) {
      byte[] c = new byte[data.readInt()];
      data.readFully(c);
      commands.add(c);
    }
  }
}
