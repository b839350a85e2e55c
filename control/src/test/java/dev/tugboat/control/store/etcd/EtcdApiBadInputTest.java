package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.etcd.api.Compare;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.LeaseGrantRequest;
import dev.tugboat.control.store.etcd.api.LeaseGrpc;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveRequest;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveResponse;
import dev.tugboat.control.store.etcd.api.LeaseTimeToLiveRequest;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.RequestOp;
import dev.tugboat.control.store.etcd.api.TxnRequest;
import dev.tugboat.control.store.etcd.api.WatchCancelRequest;
import dev.tugboat.control.store.etcd.api.WatchCreateRequest;
import dev.tugboat.control.store.etcd.api.WatchGrpc;
import dev.tugboat.control.store.etcd.api.WatchRequest;
import dev.tugboat.control.store.etcd.api.WatchResponse;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Requests etcdctl would never send, straight over gRPC: each gets etcd's error, and the server stays up. */
class EtcdApiBadInputTest {

  private static MvccKeyValueStore store;
  private static EtcdGrpcServer server;
  private static ManagedChannel channel;
  private static KVGrpc.KVBlockingStub kv;
  private static LeaseGrpc.LeaseBlockingStub lease;

  @BeforeAll
  static void start() {
    store = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(store,
        new SingleMemberCluster("bad-input", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
        List.of(new InetSocketAddress("127.0.0.1", 0)));
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.addresses().get(0).getPort()).usePlaintext()
        .maxInboundMessageSize(16 << 20).build();
    kv = KVGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    lease = LeaseGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    server.close();
    store.close();
  }

  private static StatusRuntimeException failure(Runnable call) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, call::run);
    assertThat(e).as("the call failed").isNotNull();
    return e;
  }

  private static ByteString bs(String s) {
    return ByteString.copyFromUtf8(s);
  }

  @Test
  void anEmptyKeyIsNotProvided() {
    StatusRuntimeException e = failure(() -> kv.range(RangeRequest.getDefaultInstance()));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: key is not provided");
  }

  @Test
  void aValueJustOverTheLimitIsTooLargeAndAHugeOneIsRefusedByGrpc() {
    StatusRuntimeException tooLarge = failure(() -> kv.put(PutRequest.newBuilder().setKey(bs("big"))
        .setValue(ByteString.copyFrom(new byte[1600 * 1024])).build()));
    assertThat(tooLarge.getStatus().getDescription()).isEqualTo("etcdserver: request is too large");
    StatusRuntimeException huge = failure(() -> kv.put(PutRequest.newBuilder().setKey(bs("big"))
        .setValue(ByteString.copyFrom(new byte[3 << 20])).build()));
    assertThat(huge.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(kv.range(RangeRequest.newBuilder().setKey(bs("big")).build()).getCount()).isZero();
  }

  @Test
  void aTxnOpWithoutARequestOrWithAnUnknownCompareTargetIsInvalid() {
    StatusRuntimeException emptyOp = failure(() -> kv.txn(TxnRequest.newBuilder()
        .addSuccess(RequestOp.getDefaultInstance()).build()));
    assertThat(emptyOp.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(emptyOp.getStatus().getDescription()).contains("names no request");
    StatusRuntimeException badTarget = failure(() -> kv.txn(TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder().setKey(bs("k")).setTargetValue(99)).build()));
    assertThat(badTarget.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(badTarget.getStatus().getDescription()).contains("compare target 99 is unknown");
  }

  @Test
  void aKeyWrittenTwiceInATxnIsADuplicate() {
    RequestOp put = RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(bs("d")).setValue(bs("1")))
        .build();
    StatusRuntimeException e = failure(() -> kv.txn(TxnRequest.newBuilder().addSuccess(put).addSuccess(put).build()));
    assertThat(e.getStatus().getDescription()).isEqualTo("etcdserver: duplicate key given in txn request");
  }

  @Test
  void leaseErrorsAreEtcds() {
    lease.leaseGrant(LeaseGrantRequest.newBuilder().setID(77).setTTL(60).build());
    StatusRuntimeException exists = failure(() ->
        lease.leaseGrant(LeaseGrantRequest.newBuilder().setID(77).setTTL(60).build()));
    assertThat(exists.getStatus().getDescription()).isEqualTo("etcdserver: lease already exists");
    StatusRuntimeException tooLong = failure(() ->
        lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(9_000_000_001L).build()));
    assertThat(tooLong.getStatus().getDescription()).isEqualTo("etcdserver: too large lease TTL");
    StatusRuntimeException unknownLease = failure(() -> kv.put(PutRequest.newBuilder().setKey(bs("l"))
        .setValue(bs("v")).setLease(78).build()));
    assertThat(unknownLease.getStatus().getDescription()).isEqualTo("etcdserver: requested lease not found");
    assertThat(lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(78).build()).getTTL()).isEqualTo(-1);
  }

  @Test
  void keepAliveOfAnUnknownLeaseAnswersTtlZero() throws InterruptedException {
    LinkedBlockingQueue<LeaseKeepAliveResponse> answers = new LinkedBlockingQueue<>();
    StreamObserver<LeaseKeepAliveRequest> requests = LeaseGrpc.newStub(channel).leaseKeepAlive(collect(answers));
    requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(4242).build());
    LeaseKeepAliveResponse answer = answers.poll(30, TimeUnit.SECONDS);
    requests.onCompleted();
    assertThat(answer.getID()).isEqualTo(4242);
    assertThat(answer.getTTL()).isZero();
  }

  @Test
  void aWatchFromACompactedRevisionIsCreatedThenCancelledWithTheCompactRevision() throws InterruptedException {
    kv.put(PutRequest.newBuilder().setKey(bs("c")).setValue(bs("1")).build());
    long revision = kv.put(PutRequest.newBuilder().setKey(bs("c")).setValue(bs("2")).build()).getHeader()
        .getRevision();
    new KvCompactor().compact(revision);
    LinkedBlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> requests = WatchGrpc.newStub(channel).watch(collect(responses));
    requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bs("c"))
        .setStartRevision(revision - 1)).build());
    WatchResponse created = responses.poll(30, TimeUnit.SECONDS);
    assertThat(created.getCreated()).isTrue();
    WatchResponse cancelled = responses.poll(30, TimeUnit.SECONDS);
    assertThat(cancelled.getCanceled()).isTrue();
    assertThat(cancelled.getWatchId()).isEqualTo(created.getWatchId());
    assertThat(cancelled.getCompactRevision()).isEqualTo(revision);

    requests.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder().setKey(bs("c")))
        .build());
    WatchResponse second = responses.poll(30, TimeUnit.SECONDS);
    assertThat(second.getCreated()).isTrue();
    requests.onNext(WatchRequest.newBuilder().setCancelRequest(WatchCancelRequest.newBuilder()
        .setWatchId(second.getWatchId())).build());
    WatchResponse cancel = responses.poll(30, TimeUnit.SECONDS);
    assertThat(cancel.getCanceled()).isTrue();
    assertThat(cancel.getCompactRevision()).isZero();
    requests.onCompleted();
  }

  @Test
  void bytesThatAreNotAProtobufMessageFailTheCallAndNothingElse() {
    MethodDescriptor<byte[], byte[]> rawPut = KVGrpc.getPutMethod().toBuilder(new RawBytes(), new RawBytes()).build();
    StatusRuntimeException e = failure(() -> ClientCalls.blockingUnaryCall(channel, rawPut,
        CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS), new byte[] {(byte) 0xff, (byte) 0xff, 0x01}));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("etcdserver: malformed Put request: ");
    assertThat(kv.put(PutRequest.newBuilder().setKey(bs("after")).setValue(bs("ok")).build()).getHeader()
        .getRevision()).isPositive();
  }

  private static final class KvCompactor {
    void compact(long revision) {
      kv.compact(dev.tugboat.control.store.etcd.api.CompactionRequest.newBuilder().setRevision(revision).build());
    }
  }

  private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static <T> StreamObserver<T> collect(LinkedBlockingQueue<T> into) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {
        into.add(value);
      }

      @Override
      public void onError(Throwable t) {
      }

      @Override
      public void onCompleted() {
      }
    };
  }
}
