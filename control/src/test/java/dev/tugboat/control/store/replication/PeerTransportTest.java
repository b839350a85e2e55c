package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.LoopbackPorts;
import dev.tugboat.control.store.log.SnapshotFiles;
import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import dev.tugboat.control.store.raft.SnapshotStatus;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerTransportTest {
  private static final long CLUSTER = 0xC1;

  @TempDir
  Path dir;

  /** Collects what a transport receives. */
  private static final class Inbox implements PeerTransport.Receiver {
    final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<SnapshotFiles.Stored> snapshots = new LinkedBlockingQueue<>();
    final LinkedBlockingQueue<SnapshotStatus> snapshotReports = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(Message message) {
      messages.add(message);
    }

    @Override
    public void onSnapshot(Message message, SnapshotFiles.Stored file) {
      assertThat(file.metadata()).isEqualTo(message.snapshot().metadata());
      snapshots.add(file);
    }

    @Override
    public void onSnapshotReport(long peer, SnapshotStatus status) {
      snapshotReports.add(status);
    }

    SnapshotStatus report() throws InterruptedException {
      SnapshotStatus status = snapshotReports.poll(30, TimeUnit.SECONDS);
      assertThat(status).as("a snapshot report within 30 s").isNotNull();
      return status;
    }

    @Override
    public void onUnreachable(long peer) {}

    Message take() throws InterruptedException {
      Message m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 s").isNotNull();
      return m;
    }
  }

  private static Message append(long from, long to, long index) {
    return Message.builder(MessageType.APPEND).from(from).to(to).term(1).index(index)
        .entries(List.of(Entry.normal(index + 1, 1, ("e" + index).getBytes()))).build();
  }

  /** Sends until one arrives: the dialed connection comes up asynchronously and drops what it cannot send yet. */
  private static Message sendUntilDelivered(PeerTransport from, Message m, Inbox to) throws InterruptedException {
    for (int i = 0; i < 500; i++) {
      from.send(m);
      Message got = to.messages.poll(20, TimeUnit.MILLISECONDS);
      if (got != null) {
        return got;
      }
    }
    throw new AssertionError("never delivered: " + m);
  }

  @Test
  void membersExchangeMessagesInOrderInBothDirections() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in1 = new Inbox();
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, dir, in1).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, dir, in2).start()) {
      assertThat(sendUntilDelivered(t1, append(1, 2, 0), in2).from()).isEqualTo(1);
      for (int i = 1; i <= 10_000; i++) {
        t1.send(append(1, 2, i));
      }
      List<Long> indexes = new ArrayList<>();
      while (indexes.size() < 10_000) {
        long index = in2.take().index();
        if (index != 0) { // copies of the probe may still arrive
          indexes.add(index);
        }
      }
      assertThat(indexes).isSorted().doesNotHaveDuplicates().hasSize(10_000);

      Message reply = Message.builder(MessageType.APPEND_RESPONSE).from(2).to(1).term(1).index(10_000).build();
      assertThat(sendUntilDelivered(t2, reply, in1).index()).isEqualTo(10_000);
    }
  }

  /**
   * Messages far larger than the socket's buffer: the sending thread's write is cut short, the event loop writes the
   * rest, and what is sent meanwhile must wait for it; two senders at once must not interleave their frames either.
   */
  @Test
  void messagesThatOverflowTheSocketArriveWholeAndInOrderFromEachSender() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    int perSender = 100;
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, dir, new Inbox()).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, dir, in2).start()) {
      sendUntilDelivered(t1, append(1, 2, 0), in2);
      Thread[] senders = new Thread[2];
      for (int s = 0; s < senders.length; s++) {
        long first = 1 + s * 1_000_000L;
        senders[s] = new Thread(() -> {
          for (long index = first; index < first + perSender; index++) {
            t1.send(bigAppend(1, 2, index));
          }
        });
        senders[s].start();
      }
      for (Thread sender : senders) {
        sender.join();
      }
      List<Long> fromFirst = new ArrayList<>();
      List<Long> fromSecond = new ArrayList<>();
      while (fromFirst.size() + fromSecond.size() < 2 * perSender) {
        Message m = in2.take();
        if (m.index() == 0) {
          continue; // copies of the probe may still arrive
        }
        byte[] data = m.entries().get(0).data();
        assertThat(data).hasSize(BIG).containsOnly((byte) m.index());
        (m.index() < 1_000_000 ? fromFirst : fromSecond).add(m.index());
      }
      assertThat(fromFirst).isSorted().doesNotHaveDuplicates().hasSize(perSender);
      assertThat(fromSecond).isSorted().doesNotHaveDuplicates().hasSize(perSender);
    }
  }

  private static final int BIG = 256 << 10;

  private static Message bigAppend(long from, long to, long index) {
    byte[] data = new byte[BIG];
    java.util.Arrays.fill(data, (byte) index);
    return Message.builder(MessageType.APPEND).from(from).to(to).term(1).index(index)
        .entries(List.of(Entry.normal(index + 1, 1, data))).build();
  }

  @Test
  void aRestartedPeerIsReconnectedTo() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, dir, new Inbox()).start()) {
      try (PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, dir, in2).start()) {
        sendUntilDelivered(t1, append(1, 2, 1), in2);
      }
      Inbox again = new Inbox();
      try (PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, dir, again).start()) {
        assertThat(sendUntilDelivered(t1, append(1, 2, 2), again).index()).isEqualTo(2);
      }
    }
  }

  @Test
  void aMemberOfAnotherClusterIsNotHeard() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    try (PeerTransport stranger = new PeerTransport(0xBAD, 1, a1, members, dir, new Inbox()).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, dir, in2).start()) {
      for (int i = 0; i < 50; i++) {
        stranger.send(append(1, 2, i));
        Thread.sleep(10);
      }
      assertThat(in2.messages).isEmpty();
    }
  }

  // ---------------------------------------------------------------- snapshots streamed beside the messages

  private static final SnapshotMetadata SNAPSHOT_AT_500 = new SnapshotMetadata(500, 3, ConfState.ofVoters(1L, 2L));

  private static Message snapshotMessage(SnapshotMetadata meta) {
    return Message.builder(MessageType.SNAPSHOT).from(1).to(2).term(3).snapshot(new Snapshot(meta, null)).build();
  }

  /** A leader's snapshot file of {@code size} bytes of data that are not all alike. */
  private Path leaderSnapshot(int size) {
    byte[] data = new byte[size];
    new Random(size).nextBytes(data);
    return new SnapshotFiles(dir.resolve("leader")).save(SNAPSHOT_AT_500, out -> out.write(data));
  }

  private static List<String> temporaryFiles(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(SnapshotFiles.TEMPORARY_SUFFIX))
          .toList();
    }
  }

  private static void awaitNoTemporaryFiles(Path directory) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!temporaryFiles(directory).isEmpty()) {
      assertThat(System.nanoTime()).as("temporary files deleted: %s", temporaryFiles(directory))
          .isLessThan(deadline);
      Thread.sleep(10);
    }
  }

  @Test
  void aSnapshotIsStreamedFromItsFileAndArrivesCheckedWithItsMessage() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Path leaderFile = leaderSnapshot(5 * SnapshotChunks.CHUNK_BYTES + 123); // several chunks, the last one short
    Path followerDir = Files.createDirectories(dir.resolve("follower"));
    Inbox in1 = new Inbox();
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, dir, in1).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, followerDir, in2).start()) {
      t1.sendSnapshot(snapshotMessage(SNAPSHOT_AT_500), leaderFile);
      assertThat(in1.report()).isEqualTo(SnapshotStatus.FINISHED);
      SnapshotFiles.Stored received = in2.snapshots.poll(10, TimeUnit.SECONDS);
      assertThat(received).isNotNull();
      assertThat(received.file().getParent()).isEqualTo(followerDir);
      assertThat(Files.readAllBytes(received.file())).isEqualTo(Files.readAllBytes(leaderFile));
      assertThat(in2.messages).as("the SNAPSHOT message comes with its file only").isEmpty();
      assertThatThrownBy(() -> t1.send(snapshotMessage(SNAPSHOT_AT_500)))
          .as("a SNAPSHOT never travels as a plain message").isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aSnapshotThatFailsItsChecksumIsDeletedAndReportedFailed() throws Exception {
    Path leaderFile = leaderSnapshot(3 * SnapshotChunks.CHUNK_BYTES);
    try (FileChannel damage = FileChannel.open(leaderFile, StandardOpenOption.WRITE)) {
      damage.write(ByteBuffer.wrap(new byte[] {0x55, 0x55}), 2 * SnapshotChunks.CHUNK_BYTES);
    }
    assertRefused(SNAPSHOT_AT_500, leaderFile);
  }

  @Test
  void aSnapshotWhoseMetadataIsNotTheMessagesIsRefused() throws Exception {
    assertRefused(new SnapshotMetadata(501, 3, SNAPSHOT_AT_500.confState()), leaderSnapshot(1000));
  }

  /** The follower refuses the file sent for a SNAPSHOT message with {@code metadata}: nothing installed or left. */
  private void assertRefused(SnapshotMetadata metadata, Path leaderFile) throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Path followerDir = Files.createDirectories(dir.resolve("follower"));
    Inbox in1 = new Inbox();
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, dir, in1).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, followerDir, in2).start()) {
      t1.sendSnapshot(snapshotMessage(metadata), leaderFile);
      assertThat(in1.report()).isEqualTo(SnapshotStatus.FAILED);
      assertThat(in2.snapshots).isEmpty();
      awaitNoTemporaryFiles(followerDir);
    }
  }

  @Test
  void aSnapshotForAPeerThatIsDownIsReportedFailed() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Inbox in1 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, Map.of(1L, a1, 2L, a2), dir, in1).start()) {
      t1.sendSnapshot(snapshotMessage(SNAPSHOT_AT_500), leaderSnapshot(1000));
      assertThat(in1.report()).isEqualTo(SnapshotStatus.FAILED);
    }
  }

  /** Frames as the transport writes them: a big-endian length, the kind byte, the body. */
  private static void writeFrame(DataOutputStream out, int kind, byte[] body) throws IOException {
    out.writeInt(1 + body.length);
    out.writeByte(kind);
    out.write(body);
  }

  @Test
  void aStreamCutShortLeavesNoFileAndNoSnapshot() throws Exception {
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", LoopbackPorts.next());
    Path followerDir = Files.createDirectories(dir.resolve("follower"));
    Inbox in2 = new Inbox();
    try (PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, Map.of(1L, a2, 2L, a2), followerDir, in2).start();
         Socket leader = new Socket(a2.getAddress(), a2.getPort())) {
      DataOutputStream out = new DataOutputStream(leader.getOutputStream());
      ByteBuffer hello = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(CLUSTER).putLong(1);
      writeFrame(out, 1, hello.array());
      Message m = snapshotMessage(SNAPSHOT_AT_500);
      UnsafeBuffer encoded = new UnsafeBuffer(new byte[8 + MessageCodec.maxEncodedLength(m)]);
      encoded.putLong(0, 10L * SnapshotChunks.CHUNK_BYTES, ByteOrder.BIG_ENDIAN);
      int length = MessageCodec.encode(m, encoded, 8);
      writeFrame(out, 5, java.util.Arrays.copyOf(encoded.byteArray(), 8 + length));
      writeFrame(out, 6, new byte[SnapshotChunks.CHUNK_BYTES]);
      out.flush();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (temporaryFiles(followerDir).isEmpty()) {
        assertThat(System.nanoTime()).as("the snapshot is being received into a file").isLessThan(deadline);
        Thread.sleep(10);
      }
      leader.close();
      awaitNoTemporaryFiles(followerDir);
      assertThat(in2.snapshots).isEmpty();
    }
  }
}
