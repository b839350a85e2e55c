package dev.tugboat.control.apiserver.resources;

import static dev.tugboat.control.apiserver.resources.ApiClient.call;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.apiserver.ApiResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Writes while the store has not committed them yet, and reads of one object while the store has not read it: none
 * holds a worker thread meanwhile, and each is answered, once the store has decided, with what the store decided.
 */
class WritesInFlightTest {

  private static final int WORKERS = 2;

  private final MvccKeyValueStore memory = MvccKeyValueStore.inMemory(Duration.ofMillis(200));
  private final HeldStore store = new HeldStore(memory);
  private final Resources api = Resources.over(store, Clock.systemUTC(), new Resources.Options("10.96.0.0/12", 30000,
      32767, 60_000, 10_000, WORKERS, null, 6443));
  private final ExecutorService loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-event-loop"));
  private final AtomicInteger ranOnLoop = new AtomicInteger();
  /** Stands in for the connection's event loop, counting what the resource layer gives it. */
  private final Executor completions = task -> {
    ranOnLoop.incrementAndGet();
    loop.execute(task);
  };

  @AfterEach
  void close() {
    store.releaseReads();
    store.release();
    api.close();
    memory.close();
    loop.shutdownNow();
  }

  private static String pod(String name) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s"},
         "spec":{"containers":[{"name":"c","image":"busybox:1"}]}}""".formatted(name);
  }

  private CompletableFuture<ApiResponse> create(String name, String... query) {
    ApiClient.Call call = call("create", "pods", "default", null).body(pod(name));
    for (int i = 0; i < query.length; i += 2) {
      call.q(query[i], query[i + 1]);
    }
    return api.handle(call.request(), completions);
  }

  private static JsonNode answered(CompletableFuture<ApiResponse> answer) throws Exception {
    return Codec.JSON.readTree(answer.get(20, TimeUnit.SECONDS).body());
  }

  private static int status(CompletableFuture<ApiResponse> answer) throws Exception {
    return answer.get(20, TimeUnit.SECONDS).status();
  }

  private int statusOf(String verb, String name) throws Exception {
    return status(api.handle(call(verb, "pods", "default", name).request()));
  }

  private static void await(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what.get());
      }
      Thread.sleep(5);
    }
  }

  @Test
  void manyCreatesWaitForTheStoreAtOnceWithTwoWorkers() throws Exception {
    store.hold();
    List<CompletableFuture<ApiResponse>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      answers.add(create("p" + i));
    }
    // a worker blocked per create would have let only WORKERS of them reach the store
    await(() -> store.held() == 100, () -> "100 creates proposed (" + store.held() + " so far)");
    assertThat(answers).noneMatch(CompletableFuture::isDone);
    assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("tug-resources-"))
        .hasSizeLessThanOrEqualTo(WORKERS);

    store.release();
    for (int i = 0; i < 100; i++) {
      JsonNode pod = answered(answers.get(i));
      assertThat(pod.path("metadata").path("name").asString()).isEqualTo("p" + i);
      assertThat(Long.parseLong(pod.path("metadata").path("resourceVersion").asString())).isPositive();
    }
    assertThat(ranOnLoop.get()).as("answers finished on the connection's loop").isGreaterThanOrEqualTo(100);
    assertThat(statusOf("get", "p99")).isEqualTo(200);
  }

  @Test
  void aCreateWhoseCommitFailsAnswersTheStoreErrorAndLeavesNothingBehind() throws Exception {
    for (var failure : List.of(
        new Object[] {new StoreException(StoreException.Code.NO_LEADER, "etcdserver: no leader"), 503,
            "ServiceUnavailable"},
        new Object[] {new StoreException(StoreException.Code.TIMEOUT, "etcdserver: request timed out"), 504,
            "Timeout"})) {
      store.hold();
      CompletableFuture<ApiResponse> answer = create("web");
      await(() -> store.held() == 1, () -> "the create proposed");
      store.fail((StoreException) failure[0]);

      assertThat(status(answer)).isEqualTo(failure[1]);
      assertThat(answered(answer).path("reason").asString()).isEqualTo(failure[2]);
      assertThat(answered(answer).path("kind").asString()).isEqualTo("Status");
      assertThat(statusOf("get", "web")).isEqualTo(404);
      JsonNode list = answered(api.handle(call("list", "pods", "default", null).request()));
      assertThat(list.path("items")).isEmpty();
    }
    // nothing of the failed writes lingers: the same name creates, answered as the store holds it
    JsonNode created = answered(create("web"));
    assertThat(Long.parseLong(created.path("metadata").path("resourceVersion").asString()))
        .isEqualTo(memory.currentRevision());
    assertThat(answered(api.handle(call("get", "pods", "default", "web").request()))).isEqualTo(created);
  }

  @Test
  void twoCreatesOfOneNameInFlightTogetherAreOneCreatedAndOneAlreadyExists() throws Exception {
    store.hold();
    CompletableFuture<ApiResponse> first = create("web");
    CompletableFuture<ApiResponse> second = create("web");
    await(() -> store.held() == 2, () -> "both creates proposed");
    store.release();

    assertThat(List.of(status(first), status(second))).containsExactlyInAnyOrder(201, 409);
    ApiResponse refused = first.get().status() == 409 ? first.get() : second.get();
    assertThat(Codec.JSON.readTree(refused.body()).path("reason").asString()).isEqualTo("AlreadyExists");
  }

  @Test
  void aDryRunCreateIsAnsweredWithoutTheStore() throws Exception {
    store.hold();
    CompletableFuture<ApiResponse> answer = create("web", "dryRun", "All");
    assertThat(status(answer)).isEqualTo(201);
    assertThat(answered(answer).path("metadata").path("uid").asString()).isNotEmpty();
    assertThat(store.held()).isZero();
    store.release();
    assertThat(statusOf("get", "web")).isEqualTo(404);
  }

  @Test
  void anInvalidCreateIsRefusedBeforeTheStore() throws Exception {
    store.hold();
    CompletableFuture<ApiResponse> answer = create("Not_A_Name");
    assertThat(status(answer)).isEqualTo(422);
    assertThat(answered(answer).path("reason").asString()).isEqualTo("Invalid");
    assertThat(store.held()).isZero();
  }

  private CompletableFuture<ApiResponse> send(ApiClient.Call call) {
    return api.handle(call.request(), completions);
  }

  private CompletableFuture<ApiResponse> label(String resource, String name, String key, String value) {
    return send(call("patch", resource, "default", name).contentType("application/merge-patch+json")
        .body("{\"metadata\":{\"labels\":{\"" + key + "\":\"" + value + "\"}}}"));
  }

  private void createConfigMaps(int count) throws Exception {
    for (int i = 0; i < count; i++) {
      assertThat(status(send(call("create", "configmaps", "default", null)
          .body("{\"metadata\":{\"name\":\"cm" + i + "\"},\"data\":{\"k\":\"v\"}}")))).isEqualTo(201);
    }
  }

  @Test
  void manyPatchesAndDeletesWaitForTheStoreAtOnceWithTwoWorkers() throws Exception {
    createConfigMaps(40);
    store.hold();
    List<CompletableFuture<ApiResponse>> patches = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      patches.add(label("configmaps", "cm" + i, "patched", "yes"));
    }
    await(() -> store.held() == 40, () -> "40 patches proposed (" + store.held() + " so far)");
    store.release();
    for (CompletableFuture<ApiResponse> patch : patches) {
      assertThat(answered(patch).path("metadata").path("labels").path("patched").asString()).isEqualTo("yes");
    }

    store.hold();
    List<CompletableFuture<ApiResponse>> deletes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      deletes.add(send(call("delete", "configmaps", "default", "cm" + i)));
    }
    await(() -> store.held() == 40, () -> "40 deletes proposed (" + store.held() + " so far)");
    assertThat(deletes).noneMatch(CompletableFuture::isDone);
    store.release();
    for (CompletableFuture<ApiResponse> delete : deletes) {
      assertThat(status(delete)).isEqualTo(200);
    }
    assertThat(answered(send(call("list", "configmaps", "default", null))).path("items")).isEmpty();
  }

  @Test
  void twoPatchesOfOneObjectInFlightTogetherBothApplyTheLoserAfterTheWinner() throws Exception {
    createConfigMaps(1);
    store.hold();
    CompletableFuture<ApiResponse> first = label("configmaps", "cm0", "first", "1");
    CompletableFuture<ApiResponse> second = label("configmaps", "cm0", "second", "2");
    // both read the same revision before either writes: one write's guard fails, and that patch is read and made again
    await(() -> store.held() == 2, () -> "both patches proposed");
    store.release();

    assertThat(List.of(status(first), status(second))).containsExactly(200, 200);
    JsonNode labels = answered(send(call("get", "configmaps", "default", "cm0"))).path("metadata").path("labels");
    assertThat(labels.path("first").asString()).isEqualTo("1");
    assertThat(labels.path("second").asString()).isEqualTo("2");
  }

  @Test
  void anUpdateOrDeleteWhoseCommitFailsAnswersTheStoreErrorAndLeavesTheObjectAsItWas() throws Exception {
    createConfigMaps(1);
    JsonNode before = answered(send(call("get", "configmaps", "default", "cm0")));
    store.hold();
    CompletableFuture<ApiResponse> patch = label("configmaps", "cm0", "patched", "yes");
    CompletableFuture<ApiResponse> update = send(call("update", "configmaps", "default", "cm0")
        .body("{\"metadata\":{\"name\":\"cm0\"},\"data\":{\"k\":\"changed\"}}"));
    CompletableFuture<ApiResponse> delete = send(call("delete", "configmaps", "default", "cm0"));
    await(() -> store.held() == 3, () -> "the writes proposed");
    store.fail(new StoreException(StoreException.Code.TIMEOUT, "etcdserver: request timed out"));

    for (CompletableFuture<ApiResponse> write : List.of(patch, update, delete)) {
      assertThat(status(write)).isEqualTo(504);
      assertThat(answered(write).path("reason").asString()).isEqualTo("Timeout");
    }
    assertThat(answered(send(call("get", "configmaps", "default", "cm0")))).isEqualTo(before);
  }

  @Test
  void anUpdateWithAStaleResourceVersionIsAConflictWithoutTheStore() throws Exception {
    createConfigMaps(1);
    store.hold();
    CompletableFuture<ApiResponse> update = send(call("update", "configmaps", "default", "cm0")
        .body("{\"metadata\":{\"name\":\"cm0\",\"resourceVersion\":\"1\"},\"data\":{\"k\":\"x\"}}"));
    assertThat(status(update)).isEqualTo(409);
    assertThat(answered(update).path("reason").asString()).isEqualTo("Conflict");
    assertThat(store.held()).isZero();
  }

  @Test
  void manyGetsWaitForTheStoreAtOnceWithTwoWorkers() throws Exception {
    createConfigMaps(40);
    store.holdReads();
    List<CompletableFuture<ApiResponse>> gets = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      gets.add(send(call("get", "configmaps", "default", "cm" + i)));
    }
    await(() -> store.heldReads() == 40, () -> "40 gets sent to the store (" + store.heldReads() + " so far)");
    assertThat(gets).noneMatch(CompletableFuture::isDone);
    store.releaseReads();
    for (int i = 0; i < 40; i++) {
      assertThat(answered(gets.get(i)).path("metadata").path("name").asString()).isEqualTo("cm" + i);
    }
    assertThat(statusOf("get", "missing")).isEqualTo(404);
  }

  /**
   * A caller on a worker that waits for a get's answer (the node authorizer looks up a kubelet's pod so) while every
   * worker does the same: what finishes the get after the store's read must not need one of those workers.
   */
  @Test
  void getsWaitedForOnEveryWorkerAtOnceAreAnswered() throws Exception {
    createConfigMaps(WORKERS);
    store.holdReads();
    List<CompletableFuture<Integer>> waiting = new ArrayList<>();
    for (int i = 0; i < WORKERS; i++) {
      CompletableFuture<Integer> status = new CompletableFuture<>();
      String name = "cm" + i;
      api.requestExecutor().execute(() -> status.complete(
          api.handle(call("get", "configmaps", "default", name).request()).join().status()));
      waiting.add(status);
    }
    await(() -> store.heldReads() == WORKERS, () -> WORKERS + " gets sent to the store (" + store.heldReads() + ")");
    store.releaseReads();
    for (CompletableFuture<Integer> status : waiting) {
      assertThat(status.get(20, TimeUnit.SECONDS)).isEqualTo(200);
    }
  }
}
