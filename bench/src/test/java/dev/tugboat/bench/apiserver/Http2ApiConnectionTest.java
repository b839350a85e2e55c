package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class Http2ApiConnectionTest {

  private static final int FRAME_HEADER_BYTES = 9;
  private static final int SETTINGS = 0x4;
  private static final int WINDOW_UPDATE = 0x8;
  private static final int SETTINGS_INITIAL_WINDOW_SIZE = 0x4;

  /** What a client codec writes first: the preface, then its SETTINGS and any WINDOW_UPDATE, read off the wire. */
  private record Opening(Map<Integer, Long> settings, long connectionWindowIncrement) {}

  private static Opening opening() {
    EmbeddedChannel channel = new EmbeddedChannel(Http2ApiConnection.clientCodec());
    ByteBuf wire = Unpooled.buffer();
    for (ByteBuf written = channel.readOutbound(); written != null; written = channel.readOutbound()) {
      wire.writeBytes(written);
      written.release();
    }
    channel.finishAndReleaseAll();
    wire.skipBytes(Http2CodecUtil.connectionPrefaceBuf().readableBytes());
    Map<Integer, Long> settings = new HashMap<>();
    long increment = 0;
    while (wire.readableBytes() >= FRAME_HEADER_BYTES) {
      int length = wire.readUnsignedMedium();
      int type = wire.readUnsignedByte();
      wire.skipBytes(1); // flags
      int stream = wire.readInt() & Integer.MAX_VALUE;
      ByteBuf payload = wire.readSlice(length);
      if (type == SETTINGS) {
        while (payload.isReadable()) {
          settings.put(payload.readUnsignedShort(), payload.readUnsignedInt());
        }
      } else if (type == WINDOW_UPDATE && stream == 0) {
        increment += payload.readInt() & Integer.MAX_VALUE;
      }
    }
    return new Opening(settings, increment);
  }

  @Test
  void watcherAnnouncesClientGosStreamWindowOf4MiB() {
    assertThat(opening().settings()).containsEntry(SETTINGS_INITIAL_WINDOW_SIZE, (long) (4 << 20));
  }

  @Test
  void watcherWidensTheConnectionWindowPastTheStreamWindowSoOneWatchCanUseAllOfIt() {
    assertThat(opening().connectionWindowIncrement() + Http2CodecUtil.DEFAULT_WINDOW_SIZE).isGreaterThanOrEqualTo(4 << 20);
  }
}
