package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KvServiceReplyTest {

  private final DefaultEventExecutor transport = new DefaultEventExecutor();

  @AfterEach
  void stopTransport() throws InterruptedException {
    transport.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS);
  }

  /** Records what the call was sent and on which thread. */
  private static final class RecordingObserver implements StreamObserver<String> {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final CountDownLatch done = new CountDownLatch(1);

    @Override
    public void onNext(String value) {
      events.add("next " + value + " on " + Thread.currentThread().getName());
    }

    @Override
    public void onError(Throwable t) {
      events.add("error " + Status.fromThrowable(t).getCode() + " on " + Thread.currentThread().getName());
      done.countDown();
    }

    @Override
    public void onCompleted() {
      events.add("completed on " + Thread.currentThread().getName());
      done.countDown();
    }
  }

  private String transportThread() throws Exception {
    return transport.submit(() -> Thread.currentThread().getName()).get(5, TimeUnit.SECONDS);
  }

  @Test
  void aResultCompletedOnAnotherThreadIsSentOnTheTransportThreadTheCallStartedOn() throws Exception {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    RecordingObserver response = new RecordingObserver();
    transport.submit(() -> KvService.reply(result, n -> "r" + n, response)).get(5, TimeUnit.SECONDS);

    Thread completer = new Thread(() -> result.complete(7), "raft-like");
    completer.start();
    completer.join();

    assertThat(response.done.await(5, TimeUnit.SECONDS)).isTrue();
    String thread = transportThread();
    assertThat(response.events).containsExactly("next r7 on " + thread, "completed on " + thread);
  }

  @Test
  void aFailureIsSentOnTheTransportThreadToo() throws Exception {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    RecordingObserver response = new RecordingObserver();
    transport.submit(() -> KvService.reply(result, n -> "r" + n, response)).get(5, TimeUnit.SECONDS);

    Thread completer = new Thread(() -> result.completeExceptionally(
        new StatusRuntimeException(Status.UNAVAILABLE)), "raft-like");
    completer.start();
    completer.join();

    assertThat(response.done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(response.events).containsExactly("error UNAVAILABLE on " + transportThread());
  }

  @Test
  void aCallStartedOffTheTransportIsAnsweredByWhoeverCompletesIt() throws Exception {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    RecordingObserver response = new RecordingObserver();
    KvService.reply(result, n -> "r" + n, response);

    Thread completer = new Thread(() -> result.complete(3), "raft-like");
    completer.start();
    completer.join();

    assertThat(response.done.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(response.events).containsExactly("next r3 on raft-like", "completed on raft-like");
  }

  @Test
  void anAlreadyCompletedResultIsSentAtOnceOnTheCallingThread() throws Exception {
    RecordingObserver response = new RecordingObserver();
    transport.submit(() -> KvService.reply(CompletableFuture.completedFuture(5), n -> "r" + n, response))
        .get(5, TimeUnit.SECONDS);

    String thread = transportThread();
    assertThat(response.events).containsExactly("next r5 on " + thread, "completed on " + thread);
  }
}
