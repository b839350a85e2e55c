package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class WatchLinesTest {

  private final List<String> lines = new ArrayList<>();
  private final WatchLines watch = new WatchLines(lines::add);

  private void frame(byte[] bytes) {
    watch.accept(Unpooled.wrappedBuffer(bytes));
  }

  @Test
  void oneFrameCarryingSeveralEventsGivesEachLine() {
    frame("{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("{\"type\":\"ADDED\"}", "{\"type\":\"MODIFIED\"}");
  }

  @Test
  void aLineCutAtEveryPossibleByteComesOutWholeOnceItsNewlineArrives() {
    byte[] event = "{\"type\":\"ADDED\",\"object\":{\"name\":\"p\u00e9\u4e2d\"}}\n".getBytes(StandardCharsets.UTF_8);
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
    frame("{\"a\"".getBytes(StandardCharsets.UTF_8));
    frame(":1".getBytes(StandardCharsets.UTF_8));
    frame("}\n{\"b\"".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("{\"a\":1}");
    frame(":2}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}");
  }

  @Test
  void aLineDecodedInPlaceLeavesNothingForTheNextFrame() {
    frame("{\"a\":1}\n{\"b\":2}\n".getBytes(StandardCharsets.UTF_8));
    frame("{\"c\":3}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("{\"a\":1}", "{\"b\":2}", "{\"c\":3}");
  }

  @Test
  void anEmptyLineIsHandedOnAsAnEmptyString() {
    frame("\n{\"a\":1}\n".getBytes(StandardCharsets.UTF_8));
    assertThat(lines).containsExactly("", "{\"a\":1}");
  }
}
