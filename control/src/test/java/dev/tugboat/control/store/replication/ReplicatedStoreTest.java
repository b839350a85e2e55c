package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MVCC store through Raft and the Chronicle log, as one member runs it in-process. */
class ReplicatedStoreTest {
  @TempDir
  Path dir;

  private ReplicatedStoreConfig config() {
    return new ReplicatedStoreConfig("solo", dir, Map.of("solo", List.of("http://127.0.0.1:1")), "test", List.of(),
        List.of(), List.of(), Duration.ofMillis(100), Duration.ofSeconds(1), 100);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void writesSurviveARestartWithTheirRevisions() throws Exception {
    long revision;
    try (ReplicatedStore store = ReplicatedStore.start(config())) {
      for (int i = 0; i < 250; i++) { // past two snapshots (every 100 entries)
        store.store().put(PutRequest.of(bytes("k" + (i % 10)), bytes("v" + i))).get(10, TimeUnit.SECONDS);
      }
      revision = store.store().currentRevision();
    }
    try (ReplicatedStore store = ReplicatedStore.start(config())) {
      List<KeyValue> kvs = store.store().range(RangeRequest.prefix(bytes("k"))).get(10, TimeUnit.SECONDS).kvs();
      assertThat(kvs).hasSize(10);
      assertThat(new String(kvs.get(9).value(), StandardCharsets.UTF_8)).isEqualTo("v249");
      assertThat(store.store().currentRevision()).isEqualTo(revision);
    }
  }

  @Test
  void aSecondMemberOnTheSameDataDirIsRefused() {
    try (ReplicatedStore first = ReplicatedStore.start(config())) {
      assertThatThrownBy(() -> ReplicatedStore.start(config()))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use by another member");
    }
  }
}
