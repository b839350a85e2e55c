package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.RangeResponse;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A get is answered on the thread its call started on; any wider range is handed to the range executor. */
class KvServiceRangeThreadTest {

  private final MvccKeyValueStore store = MvccKeyValueStore.inMemory();
  private final ExecutorService ranges = Executors.newSingleThreadExecutor(r -> new Thread(r, "range-executor"));
  private final KvService service = new KvService(store, new ResponseHeaders(
      new SingleMemberCluster("range-thread", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
      store), ranges);

  @AfterEach
  void stop() throws Exception {
    ranges.shutdownNow();
    store.close();
  }

  private static final class Recording implements StreamObserver<RangeResponse> {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void onNext(RangeResponse value) {
      events.add(value.getKvsCount() + " keys on " + Thread.currentThread().getName());
    }

    @Override
    public void onError(Throwable t) {
      events.add("error on " + Thread.currentThread().getName());
      done.countDown();
    }

    @Override
    public void onCompleted() {
      done.countDown();
    }
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFrom(s, StandardCharsets.UTF_8);
  }

  private void put(String key) throws Exception {
    store.put(PutRequest.of(key.getBytes(StandardCharsets.UTF_8), new byte[] {1})).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aSingleKeyIsReadOnTheCallingThread() throws Exception {
    put("a");
    Recording response = new Recording();
    service.range(RangeRequest.newBuilder().setKey(bytes("a")).setSerializable(true).build(), response);

    assertThat(response.done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(response.events).containsExactly("1 keys on " + Thread.currentThread().getName());
  }

  @Test
  void aRangeOfKeysIsReadOnTheRangeExecutor() throws Exception {
    put("a");
    put("b");
    Recording response = new Recording();
    service.range(RangeRequest.newBuilder().setKey(bytes("a")).setRangeEnd(bytes("c")).setSerializable(true).build(),
        response);

    assertThat(response.done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(response.events).containsExactly("2 keys on range-executor");
  }
}
