package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.raft.ConfState;
import dev.tugboat.control.store.raft.Entry;
import dev.tugboat.control.store.raft.EntryType;
import dev.tugboat.control.store.raft.Message;
import dev.tugboat.control.store.raft.MessageType;
import dev.tugboat.control.store.raft.Snapshot;
import dev.tugboat.control.store.raft.SnapshotMetadata;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

  private static Message roundTrip(Message m) {
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageCodec.maxEncodedLength(m) + 10]);
    int length = MessageCodec.encode(m, buffer, 10);
    assertThat(length).isLessThanOrEqualTo(MessageCodec.maxEncodedLength(m));
    return MessageCodec.decode(buffer, 10, length);
  }

  private static void assertSameMessage(Message actual, Message expected) {
    assertThat(actual.type()).isEqualTo(expected.type());
    assertThat(actual.to()).isEqualTo(expected.to());
    assertThat(actual.from()).isEqualTo(expected.from());
    assertThat(actual.term()).isEqualTo(expected.term());
    assertThat(actual.logTerm()).isEqualTo(expected.logTerm());
    assertThat(actual.index()).isEqualTo(expected.index());
    assertThat(actual.commit()).isEqualTo(expected.commit());
    assertThat(actual.reject()).isEqualTo(expected.reject());
    assertThat(actual.rejectHint()).isEqualTo(expected.rejectHint());
    assertThat(actual.logTermHint()).isEqualTo(expected.logTermHint());
    assertThat(actual.context()).isEqualTo(expected.context());
    assertThat(actual.entries()).isEqualTo(expected.entries());
    if (expected.snapshot() == null) {
      assertThat(actual.snapshot()).isNull();
    } else {
      assertThat(actual.snapshot().metadata()).isEqualTo(expected.snapshot().metadata());
      assertThat(actual.snapshot().data()).isEqualTo(expected.snapshot().data());
    }
  }

  @Test
  void appendWithEntriesOfEveryTypeSurvivesTheWire() {
    Message m = Message.builder(MessageType.APPEND).to(2).from(1).term(7).logTerm(6).index(41).commit(40)
        .entries(List.of(Entry.normal(42, 7, new byte[] {1, 2, 3}), Entry.normal(43, 7, new byte[0]),
            new Entry(44, 7, EntryType.CONF_CHANGE, new byte[] {9})))
        .build();
    assertSameMessage(roundTrip(m), m);
  }

  @Test
  void rejectionWithHintsAndReadContextSurviveTheWire() {
    Message m = Message.builder(MessageType.APPEND_RESPONSE).to(1).from(3).term(9).index(100).reject(true)
        .rejectHint(80).logTermHint(5).context(new byte[] {7, 7}).build();
    assertSameMessage(roundTrip(m), m);
  }

  @Test
  void snapshotWithItsConfigurationAndDataSurvivesTheWire() {
    Snapshot snapshot = new Snapshot(new SnapshotMetadata(500, 4,
        new ConfState(List.of(1L, 2L, 3L), List.of(4L))), new byte[100_000]);
    snapshot.data()[99_999] = 42;
    Message m = Message.builder(MessageType.SNAPSHOT).to(3).from(1).term(4).snapshot(snapshot).build();
    assertSameMessage(roundTrip(m), m);
  }

  @Test
  void everyMessageTypeKeepsItsType() {
    for (MessageType type : MessageType.values()) {
      Message m = Message.builder(type).to(1).from(2).term(3).build();
      assertThat(roundTrip(m).type()).isEqualTo(type);
    }
  }

  @Test
  void aCutOrPaddedBodyIsRefusedWithAReason() {
    Message m = Message.builder(MessageType.APPEND).to(2).from(1).term(1)
        .entries(List.of(Entry.normal(1, 1, new byte[50]))).build();
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[MessageCodec.maxEncodedLength(m) + 8]);
    int length = MessageCodec.encode(m, buffer, 0);
    assertThatThrownBy(() -> MessageCodec.decode(buffer, 0, length - 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("runs past");
    assertThatThrownBy(() -> MessageCodec.decode(buffer, 0, length + 4))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left over");
    buffer.putInt(4, Integer.MAX_VALUE);
    assertThatThrownBy(() -> MessageCodec.decode(buffer, 0, length))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("entry count");
  }
}
