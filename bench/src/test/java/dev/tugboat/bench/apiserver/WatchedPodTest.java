package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WatchedPodTest {

  private static final String ADDED = "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{"
      + "\"resourceVersion\":\"12\",\"name\":\"w42\",\"namespace\":\"bench-watch\",\"annotations\":{"
      + "\"bench.tugboat.dev/sent-at-nanos\":\"987654321\"}},\"spec\":{\"containers\":[{\"name\":\"c\"}]}}}";

  @Test
  void addedEventGivesThePodNameAndSendTime() {
    ApiServerBench.WatchedPod pod = ApiServerBench.WatchedPod.parse(ADDED);
    assertThat(pod.name()).isEqualTo("w42");
    assertThat(pod.sentNanos()).isEqualTo(987654321L);
  }

  @Test
  void otherEventsAreSkippedAndAForeignAddedIsAnError() {
    assertThat(ApiServerBench.WatchedPod.parse(ADDED.replace("ADDED", "MODIFIED"))).isNull();
    assertThat(ApiServerBench.WatchedPod.parse("{\"type\":\"BOOKMARK\",\"object\":{}}")).isNull();
    assertThatThrownBy(() -> ApiServerBench.WatchedPod.parse("{\"type\":\"ADDED\",\"object\":{\"metadata\":{}}}"))
        .hasMessageContaining("without the bench's pod name or send time");
  }
}
