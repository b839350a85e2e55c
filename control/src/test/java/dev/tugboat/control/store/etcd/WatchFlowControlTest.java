package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.etcd.api.Event;
import dev.tugboat.control.store.etcd.api.WatchCreateRequest;
import dev.tugboat.control.store.etcd.api.WatchGrpc;
import dev.tugboat.control.store.etcd.api.WatchRequest;
import dev.tugboat.control.store.etcd.api.WatchResponse;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A watch client that stops reading: the server waits for it, and it later gets every event exactly once. */
class WatchFlowControlTest {

  @Test
  void aClientThatStopsReadingGetsEveryEventOnceWhenItResumes() throws Exception {
    try (MvccKeyValueStore store = MvccKeyValueStore.inMemory();
         EtcdGrpcServer server = EtcdGrpcServer.start(store,
             new SingleMemberCluster("flow", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
             List.of(new InetSocketAddress("127.0.0.1", 0)))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.addresses().get(0).getPort())
          .usePlaintext().build();
      try {
        LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
        ClientCallStreamObserver<WatchRequest>[] call = new ClientCallStreamObserver[1];
        WatchGrpc.newStub(channel).watch(new ClientResponseObserver<WatchRequest, WatchResponse>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<WatchRequest> requestStream) {
            call[0] = requestStream;
            requestStream.disableAutoRequestWithInitial(1);  // only the "created" response
          }

          @Override
          public void onNext(WatchResponse value) {
            responses.add(value);
          }

          @Override
          public void onError(Throwable t) {
          }

          @Override
          public void onCompleted() {
          }
        });
        call[0].onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("flow/")).setRangeEnd(ByteString.copyFromUtf8("flow0"))).build());
        assertThat(responses.poll(30, TimeUnit.SECONDS).getCreated()).isTrue();

        // Far more than the transport's window and than a watch may queue.
        int writes = 3000;
        byte[] value = new byte[20_000];
        for (int i = 0; i < writes; i++) {
          store.put(PutRequest.of(("flow/" + (i % 10)).getBytes(StandardCharsets.UTF_8), value)).get(30,
              TimeUnit.SECONDS);
        }
        call[0].request(Integer.MAX_VALUE);
        List<Long> revisions = new ArrayList<>();
        while (revisions.size() < writes) {
          WatchResponse r = responses.poll(60, TimeUnit.SECONDS);
          assertThat(r).as("events after %d of %d", revisions.size(), writes).isNotNull();
          assertThat(r.getCanceled()).isFalse();
          for (Event e : r.getEventsList()) {
            revisions.add(e.getKv().getModRevision());
          }
        }
        for (int i = 0; i < writes; i++) {
          assertThat(revisions.get(i)).isEqualTo(i + 2L);
        }
        call[0].onCompleted();
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
