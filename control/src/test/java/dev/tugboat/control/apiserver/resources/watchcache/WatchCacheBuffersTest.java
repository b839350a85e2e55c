package dev.tugboat.control.apiserver.resources.watchcache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.ResourceInfo;
import dev.tugboat.control.apiserver.WatchSink;
import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.ResourceType;
import dev.tugboat.control.apiserver.resources.selection.FieldSelector;
import dev.tugboat.control.apiserver.resources.selection.LabelSelector;
import dev.tugboat.control.apiserver.resources.selection.Selection;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The watch cache's direct buffers: every one it allocates is freed once nothing holds it (the cache, its history, a
 * watcher still writing it, a list being encoded), and none is left once the cache is closed. The allocator counts
 * the direct bytes still allocated, so a buffer leaked anywhere fails the test where it happens; Netty's paranoid
 * leak detector records where each buffer was touched, for the failure's diagnosis.
 */
class WatchCacheBuffersTest {

  private static final String PREFIX = "/registry/pods/";
  private static final ResourceType PODS = new ResourceType(new ResourceInfo("", "v1", "pods", "pod", "Pod", true,
      List.of("get", "list", "watch"), List.of(), List.of(), List.of()), PREFIX, new ResourceStrategy());
  private static final Selection EVERYTHING =
      new Selection(LabelSelector.EVERYTHING, FieldSelector.EVERYTHING, PODS.strategy()::fields);

  private final UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(true, false);
  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory(Duration.ofMillis(50));
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private WatchCache cache;

  @BeforeAll
  static void trackEveryBuffer() {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
  }

  @AfterEach
  void stop() {
    if (cache != null) {
      cache.close();
    }
    scheduler.shutdownNow();
    store.close();
  }

  /** A sink that keeps the buffers it is given, as a watcher whose client has not yet read them. */
  private static final class SlowSink implements WatchSink {
    final List<ByteBuf> held = new ArrayList<>();
    final List<String> heapEvents = new ArrayList<>();

    @Override
    public synchronized boolean send(byte[] watchEventJson) {
      heapEvents.add(new String(watchEventJson, StandardCharsets.UTF_8));
      return true;
    }

    @Override
    public synchronized boolean send(ByteBuf watchEventJson) {
      held.add(watchEventJson);
      return true;
    }

    synchronized List<String> releaseAll() {
      List<String> lines = new ArrayList<>();
      for (ByteBuf buffer : held) {
        lines.add(buffer.toString(StandardCharsets.UTF_8));
        buffer.release();
      }
      held.clear();
      return lines;
    }

    @Override
    public void close() {}

    @Override
    public void onClientGone(Runnable action) {}
  }

  private WatchCache startCache(int history) {
    cache = new WatchCache(PODS, store, scheduler, history, 0, allocator);
    cache.start();
    return cache;
  }

  private static byte[] key(String name) {
    return (PREFIX + "default/" + name).getBytes(StandardCharsets.UTF_8);
  }

  private void put(String name, String phase) {
    String json = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" + name
        + "\",\"namespace\":\"default\"},\"status\":{\"phase\":\"" + phase + "\"}}";
    store.put(PutRequest.of(key(name), json.getBytes(StandardCharsets.UTF_8))).join();
    caughtUp();
  }

  private void delete(String name) {
    store.deleteRange(DeleteRangeRequest.key(key(name))).join();
    caughtUp();
  }

  private void caughtUp() {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (cache.revision() < store.currentRevision()) {
      assertThat(System.nanoTime()).as("the cache catches up with the store").isLessThan(deadline);
      Thread.onSpinWait();
    }
  }

  private long liveBytes() {
    return allocator.metric().usedDirectMemory();
  }

  private WatchCache.WatchSpec watchFrom(Long revision) {
    return new WatchCache.WatchSpec("default", EVERYTHING, revision, false, false, 0, EventEncoder.OBJECT);
  }

  @Test
  void closingTheCacheFreesEveryObjectAndChangeItHeld() {
    startCache(4);
    for (int i = 0; i < 10; i++) {
      put("p" + i, "Pending");
    }
    put("p1", "Running");
    delete("p2");
    assertThat(liveBytes()).isPositive();
    cache.close();
    assertThat(liveBytes()).isZero();
  }

  @Test
  void aReplacedObjectIsFreedOnceItsChangeLeavesTheHistory() {
    startCache(2);
    put("a", "Pending");
    long one = liveBytes();
    put("a", "Running"); // the Pending bytes stay: the history's first change holds them
    assertThat(liveBytes()).isEqualTo(2 * one);
    put("b", "Pending"); // the Pending change of a left the history: its bytes go
    assertThat(liveBytes()).isEqualTo(2 * one);
    put("c", "Pending");
    assertThat(liveBytes()).isEqualTo(3 * one);
    delete("b"); // its DELETED change holds a copy at the deletion's resourceVersion
    assertThat(liveBytes()).isPositive();
    cache.close();
    assertThat(liveBytes()).isZero();
  }

  @Test
  void aWatcherStillWritingAnEventKeepsItsBytesPastTheirEvictionAndTheCacheClosing() {
    startCache(1);
    SlowSink slow = new SlowSink();
    cache.watch(watchFrom(store.currentRevision()), slow).join();
    put("a", "Pending");
    put("a", "Running");
    put("a", "Succeeded");
    cache.close();
    List<String> lines = slow.releaseAll();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).startsWith("{\"type\":\"ADDED\",\"object\":{").contains("\"Pending\"").endsWith("}}\n");
    assertThat(lines.get(1)).startsWith("{\"type\":\"MODIFIED\"").contains("\"Running\"");
    assertThat(lines.get(2)).startsWith("{\"type\":\"MODIFIED\"").contains("\"Succeeded\"");
    assertThat(liveBytes()).isZero();
  }

  @Test
  void everyWatcherGetsTheSameLineAndTheCacheKeepsNoCopyOfIt() {
    startCache(100);
    SlowSink first = new SlowSink();
    SlowSink second = new SlowSink();
    cache.watch(watchFrom(store.currentRevision()), first).join();
    cache.watch(watchFrom(store.currentRevision()), second).join();
    put("a", "Pending");
    assertThat(first.held).hasSize(1);
    assertThat(second.held).hasSize(1);
    // one line, shared: each watcher holds a view of the same memory
    assertThat(first.held.get(0).hasMemoryAddress()).isTrue();
    assertThat(first.held.get(0).memoryAddress()).isEqualTo(second.held.get(0).memoryAddress());
    long withLines = liveBytes();
    assertThat(first.releaseAll()).isEqualTo(second.releaseAll());
    assertThat(liveBytes()).as("the line is freed with the last watcher's reference").isLessThan(withLines);
    cache.close();
    assertThat(liveBytes()).isZero();
  }

  @Test
  void initialEventsAndAReplayedHistoryAreFreedOnceWritten() {
    startCache(100);
    long before = store.currentRevision();
    put("a", "Pending");
    put("b", "Pending");
    SlowSink initial = new SlowSink();
    SlowSink replay = new SlowSink();
    cache.watch(watchFrom(null), initial).join();
    cache.watch(watchFrom(before), replay).join();
    assertThat(initial.releaseAll()).hasSize(2).allMatch(line -> line.startsWith("{\"type\":\"ADDED\""));
    assertThat(replay.releaseAll()).hasSize(2).allMatch(line -> line.startsWith("{\"type\":\"ADDED\""));
    cache.close();
    assertThat(liveBytes()).isZero();
  }

  @Test
  void aListKeepsItsItemsReadableAfterTheCacheLetsGoOfThem() {
    startCache(1);
    put("a", "Pending");
    List<ByteBuf> listed = new ArrayList<>();
    cache.list("default", EVERYTHING, object -> listed.add(object.retainedJson()));
    put("a", "Running");
    put("b", "Pending");
    cache.close();
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).toString(StandardCharsets.UTF_8)).contains("\"Pending\"");
    listed.forEach(ByteBuf::release);
    assertThat(liveBytes()).isZero();
  }

  @Test
  void aTreeOfAnObjectTheCacheHasLetGoOfIsNull() {
    startCache(1);
    put("a", "Pending");
    CachedObject held = cache.get(PREFIX + "default/a");
    assertThat(held.tree().path("status").path("phase").asString()).isEqualTo("Pending");
    put("a", "Running");
    put("b", "Pending");
    assertThat(held.tree()).isNull();
    assertThat(held.jsonBytes()).isNull();
  }

  @Test
  void aWatcherOfAnotherEncodingGetsHeapBytesAndHoldsNothing() {
    startCache(100);
    SlowSink sink = new SlowSink();
    EventEncoder named = (type, object, json) -> EventEncoder.wrap(type,
        ("\"" + object.path("metadata").path("name").asString() + "\"").getBytes(StandardCharsets.UTF_8));
    cache.watch(new WatchCache.WatchSpec("default", EVERYTHING, store.currentRevision(), false, false, 0, named),
        sink).join();
    put("a", "Pending");
    assertThat(sink.heapEvents).containsExactly("{\"type\":\"ADDED\",\"object\":\"a\"}");
    assertThat(sink.held).isEmpty();
    cache.close();
    assertThat(liveBytes()).isZero();
  }
}
