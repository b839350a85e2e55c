package dev.tugboat.control.store.remote;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.DeleteRangeResponse;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.KeyValueStore;
import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.LeaseTimeToLive;
import dev.tugboat.control.store.OpResponse;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.etcd.api.CompactionRequest;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.LeaseGrpc;
import dev.tugboat.control.store.etcd.api.LeaseGrantRequest;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveRequest;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveResponse;
import dev.tugboat.control.store.etcd.api.LeaseRevokeRequest;
import dev.tugboat.control.store.etcd.api.LeaseTimeToLiveRequest;
import dev.tugboat.control.store.etcd.api.ResponseOp;
import dev.tugboat.control.store.etcd.api.WatchCancelRequest;
import dev.tugboat.control.store.etcd.api.WatchCreateRequest;
import dev.tugboat.control.store.etcd.api.WatchGrpc;
import dev.tugboat.control.store.etcd.api.WatchProgressRequest;
import dev.tugboat.control.store.etcd.api.WatchResponse;
import dev.tugboat.control.store.mvcc.EtcdMessages;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The {@link KeyValueStore} of a store cluster reached over the etcd v3 gRPC API ({@code tug server
 * --store-endpoints}). Requests and responses are the same records as in-process; etcd's error messages are read
 * back into {@link StoreException} codes. Each watch is its own Watch stream. The first endpoint is used.
 */
public final class RemoteKeyValueStore implements KeyValueStore {

  private final ManagedChannel channel;
  private final KVGrpc.KVFutureStub kv;
  private static final long WATCH_CREATE_TIMEOUT_SECONDS = 30;
  private final WatchGrpc.WatchStub watch;
  private final LeaseGrpc.LeaseFutureStub lease;
  private final LeaseGrpc.LeaseStub leaseStreams;
  private final AtomicLong compactRevision = new AtomicLong();

  private RemoteKeyValueStore(ManagedChannel channel) {
    this.channel = channel;
    this.kv = KVGrpc.newFutureStub(channel);
    this.watch = WatchGrpc.newStub(channel);
    this.lease = LeaseGrpc.newFutureStub(channel);
    this.leaseStreams = LeaseGrpc.newStub(channel);
  }

  /** Connects (lazily, as gRPC does) to the first of {@code endpoints}, each {@code http://host:port}. */
  public static RemoteKeyValueStore connect(List<String> endpoints) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("--store-endpoints: no endpoint given");
    }
    URI uri = URI.create(endpoints.get(0).contains("://") ? endpoints.get(0) : "http://" + endpoints.get(0));
    if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
      throw new IllegalArgumentException("--store-endpoints: " + endpoints.get(0) + ": want http://HOST:PORT");
    }
    ManagedChannel channel = NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext()
        .maxInboundMessageSize(64 << 20).keepAliveTime(30, TimeUnit.SECONDS).build();
    return new RemoteKeyValueStore(channel);
  }

  @Override
  public CompletableFuture<RangeResponse> range(RangeRequest request) {
    return call(kv.range(EtcdMessages.toProto(request)), RemoteKeyValueStore::fromProto);
  }

  @Override
  public CompletableFuture<PutResponse> put(PutRequest request) {
    return call(kv.put(EtcdMessages.toProto(request)), RemoteKeyValueStore::fromProto);
  }

  @Override
  public CompletableFuture<DeleteRangeResponse> deleteRange(DeleteRangeRequest request) {
    return call(kv.deleteRange(EtcdMessages.toProto(request)), RemoteKeyValueStore::fromProto);
  }

  @Override
  public CompletableFuture<TxnResponse> txn(TxnRequest request) {
    return call(kv.txn(EtcdMessages.toProto(request)), RemoteKeyValueStore::fromProto);
  }

  @Override
  public CompletableFuture<Long> compact(long revision) {
    return call(kv.compact(CompactionRequest.newBuilder().setRevision(revision).setPhysical(true).build()), r -> {
      compactRevision.accumulateAndGet(revision, Math::max);
      return r.getHeader().getRevision();
    });
  }

  @Override
  public Watch watch(WatchRequest request, WatchListener listener) {
    RemoteWatch remote = new RemoteWatch(listener);
    remote.requests = watch.watch(remote);
    var create = WatchCreateRequest.newBuilder().setKey(ByteString.copyFrom(request.key()))
        .setRangeEnd(ByteString.copyFrom(request.rangeEnd())).setStartRevision(request.startRevision())
        .setPrevKv(request.prevKv()).setProgressNotify(request.progressNotify());
    if (request.noPut()) {
      create.addFilters(WatchCreateRequest.FilterType.NOPUT);
    }
    if (request.noDelete()) {
      create.addFilters(WatchCreateRequest.FilterType.NODELETE);
    }
    remote.send(dev.tugboat.control.store.etcd.api.WatchRequest.newBuilder().setCreateRequest(create).build());
    // The contract is that a write made after watch() returns is seen: that holds only once the store has the watch.
    try {
      if (!remote.established.await(WATCH_CREATE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        remote.cancel();
        throw new StoreException(StoreException.Code.TIMEOUT,
            "watch of " + new String(request.key(), StandardCharsets.UTF_8) + ": the store did not create it within "
                + WATCH_CREATE_TIMEOUT_SECONDS + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      remote.cancel();
      throw new StoreException(StoreException.Code.STOPPED, "interrupted while creating a watch");
    }
    return remote;
  }

  @Override
  public CompletableFuture<LeaseGrant> leaseGrant(long ttlSeconds, long id) {
    return call(lease.leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).setID(id).build()), r -> {
      if (!r.getError().isEmpty()) {
        throw new StoreException(StoreException.Code.INVALID_ARGUMENT, r.getError());
      }
      return new LeaseGrant(r.getID(), r.getTTL());
    });
  }

  @Override
  public CompletableFuture<Void> leaseRevoke(long id) {
    return call(lease.leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build()), r -> null);
  }

  /** One keep-alive round trip on a stream of its own; a TTL of 0 or less means the lease is gone. */
  @Override
  public CompletableFuture<Long> leaseKeepAlive(long id) {
    CompletableFuture<Long> result = new CompletableFuture<>();
    StreamObserver<LeaseKeepAliveRequest> requests = leaseStreams.leaseKeepAlive(new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveResponse response) {
        if (response.getTTL() <= 0) {
          result.completeExceptionally(new StoreException(StoreException.Code.LEASE_NOT_FOUND,
              "requested lease not found"));
        } else {
          result.complete(response.getTTL());
        }
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(storeException(t));
      }

      @Override
      public void onCompleted() {
        result.completeExceptionally(new StoreException(StoreException.Code.STOPPED, "keep-alive stream ended"));
      }
    });
    requests.onNext(LeaseKeepAliveRequest.newBuilder().setID(id).build());
    return result.whenComplete((ttl, error) -> requests.onCompleted());
  }

  @Override
  public CompletableFuture<LeaseTimeToLive> leaseTimeToLive(long id, boolean withKeys) {
    return call(lease.leaseTimeToLive(LeaseTimeToLiveRequest.newBuilder().setID(id).setKeys(withKeys).build()), r -> {
      if (r.getTTL() == -1) {
        throw new StoreException(StoreException.Code.LEASE_NOT_FOUND, "requested lease not found");
      }
      List<byte[]> keys = new ArrayList<>();
      r.getKeysList().forEach(k -> keys.add(k.toByteArray()));
      return new LeaseTimeToLive(r.getID(), r.getTTL(), r.getGrantedTTL(), keys);
    });
  }

  /** Asks the member (a serializable count of nothing) for its revision. */
  @Override
  public long currentRevision() {
    RangeRequest probe = new RangeRequest(new byte[] {0}, new byte[0], 1, 0, false, true, true);
    return range(probe).join().revision();
  }

  /** The highest compaction seen through this client; etcd's API does not report it otherwise. */
  @Override
  public long compactRevision() {
    return compactRevision.get();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private <P, R> CompletableFuture<R> call(ListenableFuture<P> call, Function<P, R> convert) {
    CompletableFuture<R> result = new CompletableFuture<>();
    Futures.addCallback(call, new FutureCallback<P>() {
      @Override
      public void onSuccess(P response) {
        try {
          result.complete(convert.apply(response));
        } catch (RuntimeException e) {
          result.completeExceptionally(e);
        }
      }

      @Override
      public void onFailure(Throwable t) {
        result.completeExceptionally(storeException(t));
      }
    }, MoreExecutors.directExecutor());
    return result;
  }

  /** etcd's errors by their messages (clients recognise them so), back into StoreException codes. */
  StoreException storeException(Throwable t) {
    if (t instanceof StoreException e) {
      return e;
    }
    Status status = t instanceof StatusRuntimeException s ? s.getStatus() : Status.fromThrowable(t);
    String message = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    String reason = message.startsWith("etcdserver: ") ? message.substring("etcdserver: ".length()) : message;
    StoreException.Code code = switch (reason) {
      case "mvcc: required revision has been compacted" -> StoreException.Code.COMPACTED;
      case "mvcc: required revision is a future revision" -> StoreException.Code.FUTURE_REVISION;
      case "requested lease not found" -> StoreException.Code.LEASE_NOT_FOUND;
      case "lease already exists" -> StoreException.Code.LEASE_EXISTS;
      case "too large lease TTL" -> StoreException.Code.LEASE_TTL_TOO_LARGE;
      case "request is too large" -> StoreException.Code.REQUEST_TOO_LARGE;
      case "too many operations in txn request" -> StoreException.Code.TOO_MANY_OPS;
      case "duplicate key given in txn request" -> StoreException.Code.DUPLICATE_KEY;
      case "key is not provided" -> StoreException.Code.EMPTY_KEY;
      case "key not found" -> StoreException.Code.KEY_NOT_FOUND;
      case "value is provided" -> StoreException.Code.VALUE_PROVIDED;
      case "lease is provided" -> StoreException.Code.LEASE_PROVIDED;
      case "no leader" -> StoreException.Code.NO_LEADER;
      case "request timed out" -> StoreException.Code.TIMEOUT;
      case "server stopped" -> StoreException.Code.STOPPED;
      case "member not found" -> StoreException.Code.MEMBER_NOT_FOUND;
      case "member ID already exist" -> StoreException.Code.MEMBER_EXISTS;
      case "Peer URLs already exists" -> StoreException.Code.PEER_URL_EXISTS;
      case "given member URLs are invalid" -> StoreException.Code.MEMBER_BAD_URLS;
      case "can only promote a learner member" -> StoreException.Code.MEMBER_NOT_LEARNER;
      case "can only promote a learner member which is in sync with leader" -> StoreException.Code.LEARNER_NOT_READY;
      case "too many learner members in cluster" -> StoreException.Code.TOO_MANY_LEARNERS;
      case "re-configuration failed due to not enough started members" ->
          StoreException.Code.NOT_ENOUGH_STARTED_MEMBERS;
      case "not leader" -> StoreException.Code.NOT_LEADER;
      case "corrupt cluster" -> StoreException.Code.CORRUPT;
      default -> switch (status.getCode()) {
        case UNAVAILABLE -> StoreException.Code.NO_LEADER;
        case DEADLINE_EXCEEDED -> StoreException.Code.TIMEOUT;
        case CANCELLED -> StoreException.Code.STOPPED;
        default -> StoreException.Code.INVALID_ARGUMENT;
      };
    };
    if (code == StoreException.Code.COMPACTED) {
      return new StoreException(code, reason, compactRevision.get(), t);
    }
    return new StoreException(code, "store " + status.getCode() + ": " + reason, 0, t);
  }

  private static KeyValue fromProto(dev.tugboat.control.store.etcd.api.KeyValue kv) {
    return EtcdMessages.fromProto(kv);
  }

  private static List<KeyValue> fromProto(List<dev.tugboat.control.store.etcd.api.KeyValue> kvs) {
    List<KeyValue> list = new ArrayList<>(kvs.size());
    kvs.forEach(kv -> list.add(fromProto(kv)));
    return list;
  }

  static RangeResponse fromProto(dev.tugboat.control.store.etcd.api.RangeResponse r) {
    return new RangeResponse(r.getHeader().getRevision(), fromProto(r.getKvsList()), r.getMore(), r.getCount());
  }

  static PutResponse fromProto(dev.tugboat.control.store.etcd.api.PutResponse r) {
    return new PutResponse(r.getHeader().getRevision(), r.hasPrevKv() ? fromProto(r.getPrevKv()) : null);
  }

  static DeleteRangeResponse fromProto(dev.tugboat.control.store.etcd.api.DeleteRangeResponse r) {
    return new DeleteRangeResponse(r.getHeader().getRevision(), r.getDeleted(), fromProto(r.getPrevKvsList()));
  }

  static TxnResponse fromProto(dev.tugboat.control.store.etcd.api.TxnResponse r) {
    List<OpResponse> responses = new ArrayList<>();
    for (ResponseOp op : r.getResponsesList()) {
      responses.add(switch (op.getResponseCase()) {
        case RESPONSE_RANGE -> fromProto(op.getResponseRange());
        case RESPONSE_PUT -> fromProto(op.getResponsePut());
        case RESPONSE_DELETE_RANGE -> fromProto(op.getResponseDeleteRange());
        case RESPONSE_TXN -> fromProto(op.getResponseTxn());
        case RESPONSE_NOT_SET -> throw new StoreException(StoreException.Code.CORRUPT, "txn response op without a response");
      });
    }
    return new TxnResponse(r.getHeader().getRevision(), r.getSucceeded(), responses);
  }

  /** One watch on its own Watch stream: events, progress and compaction go to the listener as they arrive. */
  private final class RemoteWatch implements Watch, StreamObserver<WatchResponse> {
    private final WatchListener listener;
    private volatile StreamObserver<dev.tugboat.control.store.etcd.api.WatchRequest> requests;
    private volatile long id = -1;
    private volatile boolean ended;
    /** Counted down by the store's first answer: created, canceled or the stream's end. */
    final CountDownLatch established = new CountDownLatch(1);

    RemoteWatch(WatchListener listener) {
      this.listener = listener;
    }

    synchronized void send(dev.tugboat.control.store.etcd.api.WatchRequest request) {
      if (!ended) {
        requests.onNext(request);
      }
    }

    @Override
    public long id() {
      return id;
    }

    @Override
    public void requestProgress() {
      send(dev.tugboat.control.store.etcd.api.WatchRequest.newBuilder()
          .setProgressRequest(WatchProgressRequest.getDefaultInstance()).build());
    }

    @Override
    public synchronized void cancel() {
      if (ended) {
        return;
      }
      // ended before the cancel goes out: the store's answer to it may arrive on the transport thread at once, and
      // must not reach the listener as the store closing the watch
      ended = true;
      if (id >= 0) {
        requests.onNext(dev.tugboat.control.store.etcd.api.WatchRequest.newBuilder()
            .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(id)).build());
      }
      requests.onCompleted();
    }

    @Override
    public void onNext(WatchResponse response) {
      if (response.getCreated()) {
        id = response.getWatchId();
      }
      established.countDown();
      long revision = response.getHeader().getRevision();
      if (response.getCanceled()) {
        if (response.getCompactRevision() > 0) {
          compactRevision.accumulateAndGet(response.getCompactRevision(), Math::max);
          listener.onCompacted(response.getCompactRevision());
        } else if (!ended) {
          listener.onClosed(new StoreException(StoreException.Code.STOPPED, "watch canceled by the store: "
              + response.getCancelReason()));
        }
        return;
      }
      if (response.getEventsCount() == 0) {
        if (!response.getCreated()) {
          listener.onProgress(revision);
        }
        return;
      }
      List<WatchEvent> events = new ArrayList<>(response.getEventsCount());
      for (var event : response.getEventsList()) {
        events.add(new WatchEvent(event.getType() == dev.tugboat.control.store.etcd.api.Event.EventType.DELETE
            ? WatchEvent.Type.DELETE : WatchEvent.Type.PUT, fromProto(event.getKv()),
            event.hasPrevKv() ? fromProto(event.getPrevKv()) : null));
      }
      listener.onEvents(revision, events);
    }

    @Override
    public void onError(Throwable t) {
      established.countDown();
      if (!ended) {
        ended = true;
        listener.onClosed(storeException(t));
      }
    }

    @Override
    public void onCompleted() {
      established.countDown();
      if (!ended) {
        ended = true;
        listener.onClosed(new StoreException(StoreException.Code.STOPPED, "the store ended the watch stream"));
      }
    }
  }
}
