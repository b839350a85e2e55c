package dev.tugboat.control.apiserver.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The watch sink frames its WebSocket messages itself: Netty's own client-side decoder must read them back. */
class WatchFramingTest {

  @Test
  void textFrameHeadersDecodeAtEveryLengthEncoding() {
    // 7-bit, 16-bit and 64-bit payload lengths, at and around each boundary
    for (int length : new int[] {0, 1, 125, 126, 127, 65535, 65536, 300_000}) {
      byte[] payload = new byte[length];
      Arrays.fill(payload, (byte) 'a');
      EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
          .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
      client.writeInbound(Unpooled.wrappedBuffer(ChannelWatchSink.textFrameHeader(length), payload));
      TextWebSocketFrame frame = client.readInbound();
      assertThat(frame).as("frame of %d bytes", length).isNotNull();
      assertThat(frame.isFinalFragment()).isTrue();
      assertThat(frame.content().readableBytes()).isEqualTo(length);
      assertThat(frame.text()).isEqualTo(new String(payload, StandardCharsets.UTF_8));
      frame.release();
      assertThat((Object) client.readInbound()).isNull();
      client.finishAndReleaseAll();
    }
  }

  @Test
  void framesWrittenBackToBackAreSeparateMessages() {
    byte[] first = "{\"type\":\"ADDED\"}".getBytes(StandardCharsets.UTF_8);
    byte[] second = new byte[70_000];
    Arrays.fill(second, (byte) 'b');
    EmbeddedChannel client = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
        .expectMaskedFrames(false).maxFramePayloadLength(1 << 20).build()));
    client.writeInbound(Unpooled.wrappedBuffer(ChannelWatchSink.textFrameHeader(first.length), first,
        ChannelWatchSink.textFrameHeader(second.length), second));
    TextWebSocketFrame one = client.readInbound();
    TextWebSocketFrame two = client.readInbound();
    assertThat(one.text()).isEqualTo("{\"type\":\"ADDED\"}");
    assertThat(two.content().readableBytes()).isEqualTo(70_000);
    one.release();
    two.release();
    client.finishAndReleaseAll();
  }
}
