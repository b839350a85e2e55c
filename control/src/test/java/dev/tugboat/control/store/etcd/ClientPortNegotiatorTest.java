package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.etcd.ClientPortNegotiator.Protocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ClientPortNegotiatorTest {

  private static final byte[] PREFACE = ClientPortNegotiator.HTTP2_PREFACE;

  private static Protocol decide(byte[] first) {
    return ClientPortNegotiator.decide(first, first.length);
  }

  @Test
  void everyProperPrefixOfTheHttp2PrefaceWaitsForMoreBytes() {
    for (int n = 0; n < PREFACE.length; n++) {
      assertThat(decide(Arrays.copyOf(PREFACE, n))).as("first %d bytes of the preface", n)
          .isEqualTo(Protocol.UNDECIDED);
    }
  }

  @Test
  void theWholePrefaceIsGrpcWhateverFollowsIt() {
    assertThat(decide(PREFACE)).isEqualTo(Protocol.GRPC);
    byte[] withSettings = Arrays.copyOf(PREFACE, PREFACE.length + 9);
    assertThat(decide(withSettings)).isEqualTo(Protocol.GRPC);
  }

  @Test
  void anyByteOffThePrefaceAtAnyPositionIsHttp1() {
    for (int i = 0; i < PREFACE.length; i++) {
      for (int delta = 1; delta < 256; delta++) {
        byte[] first = Arrays.copyOf(PREFACE, i + 1);
        first[i] = (byte) (first[i] + delta);
        assertThat(decide(first)).as("byte %d changed by %d", i, delta).isEqualTo(Protocol.HTTP1);
      }
    }
  }

  @Test
  void http1RequestLinesAreHttp1FromTheirFirstByte() {
    for (String line : new String[] {"GET /health HTTP/1.1\r\n", "POST /v3/kv/put HTTP/1.1\r\n", "G", "PUT / HTTP/1.0",
        "PRI /health HTTP/1.1\r\n", "\r\n"}) {
      assertThat(decide(line.getBytes(StandardCharsets.US_ASCII))).as(line).isEqualTo(Protocol.HTTP1);
    }
  }
}
