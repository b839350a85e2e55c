package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchLinesTest {

  private final List<String> lines = new ArrayList<>();
  private final WatchLines watch = new WatchLines(
      (bytes, from, to) -> lines.add(bytes.toString(from, to - from, StandardCharsets.UTF_8)));

  private void frame(byte[] bytes) {
    watch.accept(Unpooled.wrappedBuffer(bytes));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void oneFrameCarryingSeveralEventsGivesEachLine() {
    frame(utf8("{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n"));
    assertThat(lines).containsExactly("{\"type\":\"ADDED\"}", "{\"type\":\"MODIFIED\"}");
  }

  @Test
  void aLineCutAtEveryPossibleByteComesOutWholeOnceItsNewlineArrives() {
    byte[] event = utf8("{\"type\":\"ADDED\",\"object\":{\"name\":\"p\u00e9\u4e2d\"}}\n");
    for (int cut = 0; cut <= event.length; cut++) {
      lines.clear();
      frame(Arrays.copyOfRange(event, 0, cut));
      if (cut < event.length) {
        assertThat(lines).isEmpty();
      }
      frame(Arrays.copyOfRange(event, cut, event.length));
      assertThat(lines).containsExactly("{\"type\":\"ADDED\",\"object\":{\"name\":\"p\u00e9\u4e2d\"}}");
    }
  }

  @Test
  void anEventSpreadOverManyFramesEndsWithTheNextOnesStart() {
    frame(utf8("{\"a\""));
    frame(utf8(":1"));
    frame(utf8("}\n{\"b\""));
    assertThat(lines).containsExactly("{\"a\":1}");
    frame(utf8(":2}\n"));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
  }

  @Test
  void aLineHandedOnInPlaceLeavesNothingForTheNextFrame() {
    frame(utf8("{\"a\":1}\n{\"b\":2}\n"));
    frame(utf8("{\"c\":3}\n"));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
  }

  @Test
  void aCutLineLongerThanTheCutBufferComesOutWhole() {
    String longLine = "{\"a\":\"" + "x".repeat(10_000) + "\"}";
    byte[] event = utf8(longLine + "\n");
    for (int at = 0; at < event.length; at += 1000) {
      frame(Arrays.copyOfRange(event, at, Math.min(event.length, at + 1000)));
    }
    assertThat(lines).containsExactly(longLine);
  }

  @Test
  void aFrameThatIsASliceOfALargerBufferIsReadOnlyWithinItsBounds() {
    ByteBuf wire = Unpooled.wrappedBuffer(utf8("xx{\"a\":1}\n{\"b\"yy"));
    watch.accept(wire.slice(2, 12));
    frame(utf8(":2}\n"));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
  }

  @Test
  void anEmptyLineIsHandedOnAsAnEmptyLine() {
    frame(utf8("\n{\"a\":1}\n"));
    assertThat(lines).containsExactly("", "{\"a\":1}");
  }
}
