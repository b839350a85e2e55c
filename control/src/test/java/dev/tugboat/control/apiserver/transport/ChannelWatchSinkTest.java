package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a watch sink writes to its channel, and when, on an event loop whose clock the test moves. */
class ChannelWatchSinkTest {
  private static final long INTERVAL_MS = 5;
  private EmbeddedChannel channel;
  private ChannelWatchSink sink;

  @BeforeEach
  void open() {
    channel = new EmbeddedChannel();
    channel.freezeTime();
    sink = new ChannelWatchSink(channel, ChannelWatchSink.Framing.HTTP2_DATA, 1 << 20, "test watch",
        TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS));
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  @Test
  void theFirstEventGoesAtOnceAfterTheHeaders() {
    assertThat(sink.send(event("a"))).isTrue();
    channel.runPendingTasks();
    assertThat((Object) channel.readOutbound()).isInstanceOf(HttpResponse.class);
    assertThat(writes()).containsExactly("a\n");
  }

  @Test
  void eventsWithinTheIntervalWaitForTheNextTickAndLeaveInOneWrite() {
    sink.send(event("a"));
    channel.runPendingTasks();
    channel.readOutbound(); // the headers
    assertThat(writes()).containsExactly("a\n");

    sink.send(event("b"));
    sink.send(event("c"));
    channel.runPendingTasks();
    assertThat(writes()).isEmpty();

    long untilTick = nanosUntilNextTick();
    channel.advanceTimeBy(untilTick - 1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertThat(writes()).isEmpty();

    channel.advanceTimeBy(1, TimeUnit.NANOSECONDS);
    channel.runPendingTasks();
    assertThat(writes()).containsExactly("b\nc\n");
  }

  @Test
  void anEventAfterAQuietSpellGoesAtOnce() {
    sink.send(event("a"));
    channel.runPendingTasks();
    channel.readOutbound();
    writes();

    channel.advanceTimeBy(10 * INTERVAL_MS, TimeUnit.MILLISECONDS);
    sink.send(event("b"));
    channel.runPendingTasks();
    assertThat(writes()).containsExactly("b\n");
  }

  @Test
  void closeWritesWhatIsQueuedAtOnceThenEndsTheStream() {
    sink.send(event("a"));
    channel.runPendingTasks();
    channel.readOutbound();
    writes();

    sink.send(event("b"));
    sink.close();
    channel.runPendingTasks();
    List<Object> out = new ArrayList<>();
    for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
      out.add(o);
    }
    assertThat(out).hasSize(2);
    assertThat(((HttpContent) out.get(0)).content().toString(StandardCharsets.UTF_8)).isEqualTo("b\n");
    assertThat(out.get(1)).isInstanceOf(LastHttpContent.class);
    out.forEach(o -> ((HttpContent) o).release());
    assertThat(sink.send(event("c"))).isFalse();
  }

  @Test
  void noIntervalWritesEachTurnAtOnce() {
    ChannelWatchSink unpaced = new ChannelWatchSink(channel, ChannelWatchSink.Framing.HTTP2_DATA, 1 << 20,
        "unpaced watch", 0);
    unpaced.send(event("a"));
    channel.runPendingTasks();
    channel.readOutbound();
    assertThat(writes()).containsExactly("a\n");
    unpaced.send(event("b"));
    channel.runPendingTasks();
    assertThat(writes()).containsExactly("b\n");
  }

  /** The time to the next multiple of the interval on the channel's event loop clock (never 0). */
  private long nanosUntilNextTick() {
    long interval = TimeUnit.MILLISECONDS.toNanos(INTERVAL_MS);
    return interval - Math.floorMod(channel.eventLoop().ticker().nanoTime(), interval);
  }

  private static byte[] event(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The contents written since the last call, each write as one string; released. */
  private List<String> writes() {
    List<String> contents = new ArrayList<>();
    for (Object o = channel.readOutbound(); o != null; o = channel.readOutbound()) {
      HttpContent content = (HttpContent) o;
      contents.add(content.content().toString(StandardCharsets.UTF_8));
      content.release();
    }
    return contents;
  }
}
