package dev.tugboat.control.apiserver.resources;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class ConcurrentUpdateTest {

  private final ApiClient client = new ApiClient();

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void exactlyOneOfManyUpdatesWithTheSameResourceVersionWins() throws Exception {
    JsonNode cm = client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"},\"data\":{\"n\":\"0\"}}")
        .body();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 5; round++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        JsonNode base = cm;
        for (int t = 0; t < 16; t++) {
          ObjectNode update = (ObjectNode) base.deepCopy();
          ((ObjectNode) update.path("data")).put("n", "round-" + round + "-writer-" + t);
          results.add(threads.submit(() -> {
            start.await();
            return client.update("configmaps", "default", "cm", update).status();
          }));
        }
        start.countDown();
        int ok = 0;
        int conflicts = 0;
        for (Future<Integer> result : results) {
          int status = result.get();
          if (status == 200) {
            ok++;
          } else if (status == 409) {
            conflicts++;
          }
        }
        assertThat(ok).isEqualTo(1);
        assertThat(conflicts).isEqualTo(15);
        cm = client.get("configmaps", "default", "cm").body();
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void concurrentPatchesWithoutPreconditionsAllApply() throws Exception {
    client.create("configmaps", "default", "{\"metadata\":{\"name\":\"cm\"}}");
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 20; t++) {
        String patch = "{\"data\":{\"k" + t + "\":\"v\"}}";
        results.add(threads.submit(() -> client.patch("configmaps", "default", "cm",
            "application/merge-patch+json", patch).status()));
      }
      for (Future<Integer> result : results) {
        assertThat(result.get()).isEqualTo(200);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(client.get("configmaps", "default", "cm").body().path("data").size()).isEqualTo(20);
  }
}
