package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.DeleteRangeResponse;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.OpResponse;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.TxnResponse;
import dev.tugboat.control.store.etcd.api.CompactionRequest;
import dev.tugboat.control.store.etcd.api.CompactionResponse;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.RangeRequest.SortOrder;
import dev.tugboat.control.store.etcd.api.RangeRequest.SortTarget;
import dev.tugboat.control.store.etcd.api.ResponseOp;
import dev.tugboat.control.store.mvcc.EtcdMessages;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.stub.StreamObserver;
import io.netty.util.internal.ThreadExecutorMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** etcd's KV service over the store. Sorting and the min/max revision filters of Range are applied here. */
final class KvService extends KVGrpc.KVImplBase {

  private final MvccKeyValueStore store;
  private final ResponseHeaders headers;
  /** Where ranges of more than one key run: they may read much state, which must not hold up a transport thread. */
  private final Executor rangeExecutor;

  KvService(MvccKeyValueStore store, ResponseHeaders headers, Executor rangeExecutor) {
    this.store = store;
    this.headers = headers;
    this.rangeExecutor = rangeExecutor;
  }

  /**
   * A single key's range (a get: no range end) reads one entry, so it runs on the thread the call started on, the
   * transport thread for gRPC clients: a hop to the call executor and back cost two thread wake-ups per get. Any
   * other range may return the whole key space, and runs on {@link #rangeExecutor}.
   */
  @Override
  public void range(dev.tugboat.control.store.etcd.api.RangeRequest request,
                    StreamObserver<dev.tugboat.control.store.etcd.api.RangeResponse> response) {
    if (request.getRangeEnd().isEmpty()) {
      serveRange(request, response);
      return;
    }
    rangeExecutor.execute(() -> {
      try {
        serveRange(request, response);
      } catch (RuntimeException e) {
        response.onError(EtcdErrors.toStatus(e)); // off gRPC's thread, nothing else would close the call
      }
    });
  }

  private void serveRange(dev.tugboat.control.store.etcd.api.RangeRequest request,
                          StreamObserver<dev.tugboat.control.store.etcd.api.RangeResponse> response) {
    boolean reshapes = needsSort(request) || hasRevisionFilters(request);
    var range = EtcdMessages.fromProto(request);
    if (reshapes) {
      range = range.withLimit(0);
    }
    reply(store.range(range), r -> toProto(reshapes ? reshape(r, request) : r), response);
  }

  @Override
  public void put(dev.tugboat.control.store.etcd.api.PutRequest request,
                  StreamObserver<dev.tugboat.control.store.etcd.api.PutResponse> response) {
    reply(store.put(EtcdMessages.fromProto(request)), this::toProto, response);
  }

  @Override
  public void deleteRange(dev.tugboat.control.store.etcd.api.DeleteRangeRequest request,
                          StreamObserver<dev.tugboat.control.store.etcd.api.DeleteRangeResponse> response) {
    reply(store.deleteRange(EtcdMessages.fromProto(request)), this::toProto, response);
  }

  @Override
  public void txn(dev.tugboat.control.store.etcd.api.TxnRequest request,
                  StreamObserver<dev.tugboat.control.store.etcd.api.TxnResponse> response) {
    CompletableFuture<TxnResponse> result;
    try {
      result = store.txn(EtcdMessages.fromProto(request));
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    reply(result, this::toProto, response);
  }

  @Override
  public void compact(CompactionRequest request, StreamObserver<CompactionResponse> response) {
    reply(store.compact(request.getRevision()),
        revision -> CompactionResponse.newBuilder().setHeader(headers.at(revision)).build(), response);
  }

  // ---- Range's sort and filters

  private static boolean needsSort(dev.tugboat.control.store.etcd.api.RangeRequest r) {
    SortOrder order = r.getSortOrder();
    if (order == SortOrder.NONE) {
      return false;
    }
    return !(order == SortOrder.ASCEND && r.getSortTarget() == SortTarget.KEY);
  }

  private static boolean hasRevisionFilters(dev.tugboat.control.store.etcd.api.RangeRequest r) {
    return r.getMinModRevision() > 0 || r.getMaxModRevision() > 0 || r.getMinCreateRevision() > 0
        || r.getMaxCreateRevision() > 0;
  }

  private static RangeResponse reshape(RangeResponse all, dev.tugboat.control.store.etcd.api.RangeRequest r) {
    List<KeyValue> kvs = new ArrayList<>();
    for (KeyValue kv : all.kvs()) {
      if (r.getMinModRevision() > 0 && kv.modRevision() < r.getMinModRevision()
          || r.getMaxModRevision() > 0 && kv.modRevision() > r.getMaxModRevision()
          || r.getMinCreateRevision() > 0 && kv.createRevision() < r.getMinCreateRevision()
          || r.getMaxCreateRevision() > 0 && kv.createRevision() > r.getMaxCreateRevision()) {
        continue;
      }
      kvs.add(kv);
    }
    if (needsSort(r)) {
      Comparator<KeyValue> order = switch (r.getSortTarget()) {
        case VERSION -> Comparator.comparingLong(KeyValue::version);
        case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
        case MOD -> Comparator.comparingLong(KeyValue::modRevision);
        case VALUE -> (a, b) -> Arrays.compareUnsigned(a.value(), b.value());
        default -> (a, b) -> Arrays.compareUnsigned(a.key(), b.key());
      };
      kvs.sort(r.getSortOrder() == SortOrder.DESCEND ? order.reversed() : order);
    }
    boolean more = r.getLimit() > 0 && kvs.size() > r.getLimit();
    if (more) {
      kvs = kvs.subList(0, (int) r.getLimit());
    }
    return new RangeResponse(all.revision(), kvs, more, all.count());
  }

  // ---- responses

  private dev.tugboat.control.store.etcd.api.RangeResponse toProto(RangeResponse r) {
    var b = dev.tugboat.control.store.etcd.api.RangeResponse.newBuilder()
        .setHeader(headers.at(r.revision())).setMore(r.more()).setCount(r.count());
    for (KeyValue kv : r.kvs()) {
      b.addKvs(EtcdMessages.toProto(kv));
    }
    return b.build();
  }

  private dev.tugboat.control.store.etcd.api.PutResponse toProto(PutResponse r) {
    var b = dev.tugboat.control.store.etcd.api.PutResponse.newBuilder().setHeader(headers.at(r.revision()));
    if (r.prevKv() != null) {
      b.setPrevKv(EtcdMessages.toProto(r.prevKv()));
    }
    return b.build();
  }

  private dev.tugboat.control.store.etcd.api.DeleteRangeResponse toProto(DeleteRangeResponse r) {
    var b = dev.tugboat.control.store.etcd.api.DeleteRangeResponse.newBuilder()
        .setHeader(headers.at(r.revision())).setDeleted(r.deleted());
    for (KeyValue kv : r.prevKvs()) {
      b.addPrevKvs(EtcdMessages.toProto(kv));
    }
    return b.build();
  }

  private dev.tugboat.control.store.etcd.api.TxnResponse toProto(TxnResponse r) {
    var b = dev.tugboat.control.store.etcd.api.TxnResponse.newBuilder()
        .setHeader(headers.at(r.revision())).setSucceeded(r.succeeded());
    for (OpResponse op : r.responses()) {
      ResponseOp.Builder rop = ResponseOp.newBuilder();
      if (op instanceof RangeResponse range) {
        rop.setResponseRange(toProto(range));
      } else if (op instanceof PutResponse put) {
        rop.setResponsePut(toProto(put));
      } else if (op instanceof DeleteRangeResponse delete) {
        rop.setResponseDeleteRange(toProto(delete));
      } else {
        rop.setResponseTxn(toProto((TxnResponse) op));
      }
      b.addResponses(rop);
    }
    return b.build();
  }

  /**
   * Sends {@code result} as the call's response once it completes. A call that started on a gRPC transport thread
   * (writes do, see EtcdGrpcServer) gets its response encoded and written there, not on the thread that completes it:
   * that is the Raft thread for writes, and a put's response (toProto, then gRPC's headers, message and trailers, each
   * handed to the transport thread anyway) took it 270 us of CPU at p50 (ThreadMXBean around the completion, one
   * jetcd client's sequential puts, 2026-11-29), time in which it could not step, persist or apply anything else.
   * Where the transport thread is the Raft thread's own loop (tug store), the response is a task queued behind the
   * cycle that applied the write, so the writes applied with it are answered first.
   */
  static <T, R> void reply(CompletableFuture<T> result, Function<T, R> toProto, StreamObserver<R> response) {
    BiConsumer<T, Throwable> send = (value, failure) -> {
      if (failure != null) {
        response.onError(EtcdErrors.toStatus(failure));
        return;
      }
      R proto;
      try {
        proto = toProto.apply(value);
      } catch (RuntimeException e) {
        response.onError(EtcdErrors.toStatus(e));
        return;
      }
      response.onNext(proto);
      response.onCompleted();
    };
    // grpc-netty's transport threads are Netty event loops, which know themselves; any other thread gets null
    Executor transport = result.isDone() ? null : ThreadExecutorMap.currentExecutor();
    if (transport == null) {
      result.whenComplete(send);
    } else {
      result.whenCompleteAsync(send, transport);
    }
  }
}
