package dev.tugboat.control.store.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store of {@code tug server}: a one-member Raft cluster in a data dir, without peers. */
class SingleMemberStoreTest {

  @TempDir
  Path dataDir;

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static String value(MvccKeyValueStore store, String key) throws Exception {
    List<KeyValue> kvs = await(store.range(RangeRequest.key(b(key)))).kvs();
    return kvs.isEmpty() ? null : new String(kvs.get(0).value(), StandardCharsets.UTF_8);
  }

  @Test
  void acknowledgedWritesSurviveARestartWithTheirRevisionsHistoryAndLeases() throws Exception {
    long lease;
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir)) {
      await(store.put(PutRequest.of(b("a"), b("1"))));
      await(store.put(PutRequest.of(b("a"), b("2"))));
      lease = await(store.leaseGrant(600, 0)).id();
      await(store.put(new PutRequest(b("leased"), b("v"), lease, false, false, false)));
      await(store.deleteRange(DeleteRangeRequest.key(b("nothing"))));
    }
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir)) {
      assertThat(store.currentRevision()).isEqualTo(4);
      assertThat(value(store, "a")).isEqualTo("2");
      assertThat(new String(await(store.range(RangeRequest.key(b("a")).atRevision(2))).kvs().get(0).value(),
          StandardCharsets.UTF_8)).isEqualTo("1");
      assertThat(await(store.leaseTimeToLive(lease, true)).keys()).hasSize(1);
      await(store.leaseRevoke(lease));
      assertThat(value(store, "leased")).isNull();
    }
  }

  @Test
  void manyConcurrentWritersAreAllCommittedAndSurvive() throws Exception {
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir)) {
      List<CompletableFuture<?>> writes = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        writes.add(store.put(PutRequest.of(b("k" + i), b("v" + i))));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir)) {
      assertThat(store.currentRevision()).isEqualTo(501);
      assertThat(value(store, "k499")).isEqualTo("v499");
    }
  }

  @Test
  void snapshotsCompactTheLogAndTheStateComesBackFromSnapshotAndLog() throws Exception {
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir, 20)) {
      for (int i = 0; i < 100; i++) {
        await(store.put(PutRequest.of(b("k" + i), new byte[100])));
      }
      await(store.compact(50));
      await(store.put(PutRequest.of(b("last"), b("x"))));
    }
    try (Stream<Path> snapshots = Files.list(dataDir.resolve("member").resolve("snap"))) {
      assertThat(snapshots.toList()).isNotEmpty();
    }
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir, 20)) {
      assertThat(store.currentRevision()).isEqualTo(102);
      assertThat(store.compactRevision()).isEqualTo(50);
      assertThat(value(store, "last")).isEqualTo("x");
      assertThat(await(store.range(RangeRequest.prefix(b("k")))).count()).isEqualTo(100);
    }
  }

  @Test
  void aDataDirCanBeOpenedByOneStoreAtATime() {
    try (MvccKeyValueStore store = ReplicatedStore.single(dataDir)) {
      assertThatThrownBy(() -> ReplicatedStore.single(dataDir)).isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use");
    }
  }

  @Test
  void aDataDirOfTheEarlierEmbeddedFormatIsRefusedNamingIt() throws Exception {
    Files.write(dataDir.resolve("commands.log"), new byte[16]);
    assertThatThrownBy(() -> ReplicatedStore.single(dataDir)).isInstanceOf(StoreException.class)
        .hasMessageContaining("data dir " + dataDir).hasMessageContaining("commands.log");
    assertThat(dataDir.resolve("member")).doesNotExist();
  }
}
