package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PeerTransportTest {
  private static final long CLUSTER = 0xC1;

  /** Collects what a transport receives. */
  private static final class Inbox implements PeerTransport.Receiver {
    final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();

    @Override
    public void onMessage(Message message) {
      messages.add(message);
    }

    @Override
    public void onUnreachable(long peer) {}

    Message take() throws InterruptedException {
      Message m = messages.poll(10, TimeUnit.SECONDS);
      assertThat(m).as("a message within 10 s").isNotNull();
      return m;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
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
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", freePort());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", freePort());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in1 = new Inbox();
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, in1).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, in2).start()) {
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
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", freePort());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", freePort());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    int perSender = 100;
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, new Inbox()).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, in2).start()) {
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
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", freePort());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", freePort());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    try (PeerTransport t1 = new PeerTransport(CLUSTER, 1, a1, members, new Inbox()).start()) {
      try (PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, in2).start()) {
        sendUntilDelivered(t1, append(1, 2, 1), in2);
      }
      Inbox again = new Inbox();
      try (PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, again).start()) {
        assertThat(sendUntilDelivered(t1, append(1, 2, 2), again).index()).isEqualTo(2);
      }
    }
  }

  @Test
  void aMemberOfAnotherClusterIsNotHeard() throws Exception {
    InetSocketAddress a1 = new InetSocketAddress("127.0.0.1", freePort());
    InetSocketAddress a2 = new InetSocketAddress("127.0.0.1", freePort());
    Map<Long, InetSocketAddress> members = Map.of(1L, a1, 2L, a2);
    Inbox in2 = new Inbox();
    try (PeerTransport stranger = new PeerTransport(0xBAD, 1, a1, members, new Inbox()).start();
         PeerTransport t2 = new PeerTransport(CLUSTER, 2, a2, members, in2).start()) {
      for (int i = 0; i < 50; i++) {
        stranger.send(append(1, 2, i));
        Thread.sleep(10);
      }
      assertThat(in2.messages).isEmpty();
    }
  }
}
