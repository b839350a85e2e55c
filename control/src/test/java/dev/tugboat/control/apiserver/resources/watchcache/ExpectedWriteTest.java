package dev.tugboat.control.apiserver.resources.watchcache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.resources.StoredJson;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpectedWriteTest {

  private static final byte[] STORED =
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a\",\"namespace\":\"default\"},\"spec\":{}}"
          .getBytes(StandardCharsets.UTF_8);

  private static WatchCache.ExpectedWrite write(byte[] stored) {
    return new WatchCache.ExpectedWrite("/registry/pods/default/a", stored, Map.of(), Map.of());
  }

  @Test
  void servedJsonIsTheStoredBytesWithTheResourceVersionSplicedIn() {
    assertThat(new String(write(STORED).served(42), StandardCharsets.UTF_8)).isEqualTo(
        "{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"42\",\"name\":\"a\",\"namespace\":\"default\"},"
            + "\"spec\":{}}");
  }

  /** The writer's answer and the cache's object are one array: the second to ask takes what the first made. */
  @Test
  void theSecondAskForTheSameRevisionGetsTheSameArray() {
    WatchCache.ExpectedWrite write = write(STORED);
    byte[] first = write.served(42);
    assertThat(write.served(42)).isSameAs(first);
  }

  @Test
  void anotherRevisionIsSplicedAfresh() {
    WatchCache.ExpectedWrite write = write(STORED);
    byte[] at42 = write.served(42);
    byte[] at43 = write.served(43);
    assertThat(at43).isNotSameAs(at42).isEqualTo(StoredJson.withResourceVersion(STORED, 43));
  }

  @Test
  void bytesThatCannotBeSplicedGiveNull() {
    assertThat(write("[1,2]".getBytes(StandardCharsets.UTF_8)).served(42)).isNull();
  }
}
