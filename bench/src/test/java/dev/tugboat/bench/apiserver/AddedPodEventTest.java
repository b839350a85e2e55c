package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AddedPodEventTest {

  /** An ADDED event as the API server writes it, with non-ASCII text before and after the fields read. */
  private static String added(String name, String sentAt) {
    return "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{"
        + "\"annotations\":{\"note\":\"caf\u00e9 \u4e2d\u6587 \ud83d\ude80\",\"bench.tugboat.dev/sent-at-nanos\":\""
        + sentAt + "\"},\"labels\":{\"app\":\"bench\"},\"name\":\"" + name + "\",\"namespace\":\"bench-watch\","
        + "\"resourceVersion\":\"12\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"command\":[\"\u00e9cho\"]}]}}}";
  }

  private final AddedPodEvent event = new AddedPodEvent();

  private static int utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private boolean read(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    return event.read(Unpooled.wrappedBuffer(bytes), 0, bytes.length);
  }

  @Test
  void anAddedEventGivesItsPodsNumberAndSendTime() {
    assertThat(read(added("w42", "987654321"))).isTrue();
    assertThat(event.podNumber()).isEqualTo(42);
    assertThat(event.sentNanos()).isEqualTo(987654321L);
  }

  @Test
  void theExtremesOfASendTimeAreRead() {
    assertThat(read(added("w0", Long.toString(Long.MAX_VALUE)))).isTrue();
    assertThat(event.sentNanos()).isEqualTo(Long.MAX_VALUE);
    assertThat(read(added("w0", "-" + Long.MAX_VALUE))).isTrue();
    assertThat(event.sentNanos()).isEqualTo(-Long.MAX_VALUE);
    assertThat(read(added("w2147483647", "0"))).isTrue();
    assertThat(event.podNumber()).isEqualTo(Integer.MAX_VALUE);
  }

  @Test
  void otherEventTypesAreSkippedWithoutReadingTheirObject() {
    assertThat(read(added("w1", "5").replace("\"ADDED\"", "\"MODIFIED\""))).isFalse();
    assertThat(read(added("w1", "5").replace("\"ADDED\"", "\"DELETED\""))).isFalse();
    assertThat(read("{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\"}}")).isFalse();
    assertThat(read("{\"type\":\"ADDEDX\",\"object\":{}}")).isFalse();
  }

  @Test
  void aLineThatIsNotAWatchEventIsAnErrorShowingIt() {
    assertThatThrownBy(() -> read("{\"object\":{},\"type\":\"ADDED\"}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("watch event does not start with its type field: {\"object\":{},\"type\":\"ADDED\"}");
    assertThatThrownBy(() -> read("")).hasMessageContaining("does not start with its type field");
    assertThatThrownBy(() -> read("[\"type\",\"ADDED\"]")).hasMessageContaining("does not start with its type field");
  }

  @Test
  void anAddedEventWithoutTheBenchsFieldsIsAnErrorNamingTheMissingOne() {
    assertThatThrownBy(() -> read("{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}"))
        .hasMessageContaining("has no pod named w<number>");
    assertThatThrownBy(() -> read(added("pod-1", "5"))).hasMessageContaining("has no pod named w<number>");
    assertThatThrownBy(() -> read(added("web", "5"))).hasMessageContaining("a pod name other than w<number>");
    assertThatThrownBy(() -> read(added("wx1", "5"))).hasMessageContaining("a pod name other than w<number>");
    assertThatThrownBy(() -> read(added("w", "5"))).hasMessageContaining("a pod name other than w<number>");
    assertThatThrownBy(() -> read(added("w99999999999", "5"))).hasMessageContaining("a pod name other than w<number>");
    assertThatThrownBy(() -> read(added("w1", "5").replace("sent-at-nanos", "sent-at")))
        .hasMessageContaining("has no bench.tugboat.dev/sent-at-nanos annotation");
    assertThatThrownBy(() -> read(added("w1", "")))
        .hasMessageContaining("sent-at-nanos annotation that is not a number of nanoseconds");
    assertThatThrownBy(() -> read(added("w1", "12a")))
        .hasMessageContaining("not a number of nanoseconds");
    assertThatThrownBy(() -> read(added("w1", "-")))
        .hasMessageContaining("not a number of nanoseconds");
    assertThatThrownBy(() -> read(added("w1", "12345678901234567890")))
        .hasMessageContaining("not a number of nanoseconds");
  }

  @Test
  void anErrorShowsOnlyTheEventsStart() {
    String longEvent = "{\"kind\":\"" + "x".repeat(1000) + "\"}";
    assertThatThrownBy(() -> read(longEvent)).hasMessageEndingWith("x".repeat(191) + "...");
  }

  @Test
  void aLineIsNotReadPastItsEndThoughItsBufferGoesOn() {
    String whole = added("w7", "123");
    ByteBuf buffer = Unpooled.wrappedBuffer(whole.getBytes(StandardCharsets.UTF_8));
    int withinName = utf8Length(whole.substring(0, whole.indexOf("\"w7\"") + 3));
    assertThatThrownBy(() -> event.read(buffer, 0, withinName)).hasMessageContaining("a pod name other than");
    int withinType = utf8Length(whole.substring(0, whole.indexOf("ADDED") + 3));
    assertThat(event.read(buffer, 0, withinType)).isFalse();
  }

  /** Whatever frames cut the stream into, every event is read once, whole, in order. */
  @Test
  void eventsCutAtEveryByteAreEachReadOnceThroughTheLines() {
    String stream = added("w1", "111") + "\n" + "{\"type\":\"BOOKMARK\",\"object\":{}}\n" + added("w2", "-222") + "\n";
    byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
    for (int cut = 0; cut <= bytes.length; cut++) {
      List<String> read = new ArrayList<>();
      WatchLines lines = new WatchLines((line, from, to) -> {
        if (event.read(line, from, to)) {
          read.add(event.podNumber() + "@" + event.sentNanos());
        }
      });
      lines.accept(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, 0, cut)));
      lines.accept(Unpooled.wrappedBuffer(Arrays.copyOfRange(bytes, cut, bytes.length)));
      assertThat(read).as("cut at %d", cut).containsExactly("1@111", "2@-222");
    }
  }
}
