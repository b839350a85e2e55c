package dev.tugboat.control.store.embedded;

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
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTest {

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

  private MvccKeyValueStore open(long snapshotAfterBytes) {
    return EmbeddedStore.open(dataDir, Duration.ofMinutes(10), snapshotAfterBytes);
  }

  @Test
  void acknowledgedWritesSurviveARestartWithTheirRevisionsHistoryAndLeases() throws Exception {
    long lease;
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      await(store.put(PutRequest.of(b("a"), b("1"))));
      await(store.put(PutRequest.of(b("a"), b("2"))));
      lease = await(store.leaseGrant(600, 0)).id();
      await(store.put(new PutRequest(b("leased"), b("v"), lease, false, false, false)));
      await(store.deleteRange(DeleteRangeRequest.key(b("nothing"))));
    }
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
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
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      List<CompletableFuture<?>> writes = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        writes.add(store.put(PutRequest.of(b("k" + i), b("v" + i))));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      assertThat(store.currentRevision()).isEqualTo(501);
      assertThat(value(store, "k499")).isEqualTo("v499");
    }
  }

  @Test
  void aGrownLogIsFoldedIntoASnapshotAndTheStateComesBackFromBoth() throws Exception {
    try (MvccKeyValueStore store = open(1024)) {
      for (int i = 0; i < 100; i++) {
        await(store.put(PutRequest.of(b("k" + i), new byte[100])));
      }
      await(store.compact(50));
      await(store.put(PutRequest.of(b("last"), b("x"))));
    }
    assertThat(dataDir.resolve("snapshot")).exists();
    assertThat(Files.size(dataDir.resolve("commands.log"))).isLessThan(1024 + 200);
    try (MvccKeyValueStore store = open(1024)) {
      assertThat(store.currentRevision()).isEqualTo(102);
      assertThat(store.compactRevision()).isEqualTo(50);
      assertThat(value(store, "last")).isEqualTo("x");
      assertThat(await(store.range(RangeRequest.prefix(b("k")))).count()).isEqualTo(100);
    }
  }

  @Test
  void aTornLastWriteIsCutOffAndTheStoreOpens() throws Exception {
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      await(store.put(PutRequest.of(b("a"), b("1"))));
    }
    Path log = dataDir.resolve("commands.log");
    long intact = Files.size(log);
    Files.write(log, new byte[] {0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 50, 1, 2}, StandardOpenOption.APPEND);
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      assertThat(value(store, "a")).isEqualTo("1");
      assertThat(Files.size(log)).isEqualTo(intact);
      await(store.put(PutRequest.of(b("b"), b("2"))));
    }
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      assertThat(value(store, "b")).isEqualTo("2");
    }
  }

  @Test
  void aDamagedRecordWithRecordsAfterItRefusesToOpenNamingTheFile() throws Exception {
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      await(store.put(PutRequest.of(b("a"), b("1"))));
      await(store.put(PutRequest.of(b("b"), b("2"))));
    }
    Path log = dataDir.resolve("commands.log");
    byte[] bytes = Files.readAllBytes(log);
    bytes[20] ^= 0x40;
    Files.write(log, bytes);
    assertThatThrownBy(() -> EmbeddedStore.open(dataDir)).isInstanceOf(StoreException.class)
        .hasMessageContaining(log.toString()).hasMessageContaining("offset 0");
    // Nothing was left open: the directory can be opened again once repaired.
    Files.delete(log);
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      assertThat(store.currentRevision()).isEqualTo(1);
    }
  }

  @Test
  void aDataDirCanBeOpenedByOneStoreAtATime() {
    try (MvccKeyValueStore store = EmbeddedStore.open(dataDir)) {
      assertThatThrownBy(() -> EmbeddedStore.open(dataDir)).isInstanceOf(StoreException.class)
          .hasMessageContaining("is in use");
    }
  }

  @Test
  void aDamagedSnapshotRefusesToOpenNamingTheFile() throws Exception {
    try (MvccKeyValueStore store = open(1)) {
      await(store.put(PutRequest.of(b("a"), b("1"))));
    }
    Path snapshot = dataDir.resolve("snapshot");
    byte[] bytes = Files.readAllBytes(snapshot);
    bytes[bytes.length - 10] ^= 1;
    Files.write(snapshot, bytes);
    assertThatThrownBy(() -> EmbeddedStore.open(dataDir)).isInstanceOf(StoreException.class)
        .hasMessageContaining(snapshot + ": store snapshot: ");
  }
}
