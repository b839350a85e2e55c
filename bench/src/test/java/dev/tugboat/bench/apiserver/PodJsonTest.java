package dev.tugboat.bench.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PodJsonTest {

  @Test
  void theWrittenJsonIsThePodFabric8Sends() {
    Pod typed = ApiServerBench.pod("bench-par", "p17", 123456789L);
    Pod written = Serialization.unmarshal(ApiServerBench.podJson("bench-par", "p17", 123456789L), Pod.class);
    assertThat(written).isEqualTo(typed);
    assertThat(Serialization.asJson(written)).isEqualTo(Serialization.asJson(typed));
  }

  @Test
  void theWatchersFindTheNameAndSendTimeInIt() {
    byte[] event = ("{\"type\":\"ADDED\",\"object\":" + ApiServerBench.podJson("bench-watch", "w3", 42L) + "}")
        .getBytes(StandardCharsets.UTF_8);
    AddedPodEvent pod = new AddedPodEvent();
    assertThat(pod.read(Unpooled.wrappedBuffer(event), 0, event.length)).isTrue();
    assertThat(pod.podNumber()).isEqualTo(3);
    assertThat(pod.sentNanos()).isEqualTo(42L);
  }
}
