package dev.tugboat.control.store.mvcc;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.KeyValue;
import dev.tugboat.control.store.Op;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.etcd.api.RequestOp;
import java.util.ArrayList;
import java.util.List;

/**
 * Converts between the store's records and the etcd v3 protobuf messages they mirror. Used to encode replicated
 * commands and by the gRPC services. Proto types share their simple names with the records, so they are qualified.
 */
public final class EtcdMessages {

  private EtcdMessages() {}

  // ---- records to protos

  public static dev.tugboat.control.store.etcd.api.PutRequest toProto(PutRequest r) {
    return dev.tugboat.control.store.etcd.api.PutRequest.newBuilder()
        .setKey(bytes(r.key())).setValue(bytes(r.value())).setLease(r.lease()).setPrevKv(r.prevKv())
        .setIgnoreValue(r.ignoreValue()).setIgnoreLease(r.ignoreLease()).build();
  }

  public static dev.tugboat.control.store.etcd.api.DeleteRangeRequest toProto(DeleteRangeRequest r) {
    return dev.tugboat.control.store.etcd.api.DeleteRangeRequest.newBuilder()
        .setKey(bytes(r.key())).setRangeEnd(bytes(r.rangeEnd())).setPrevKv(r.prevKv()).build();
  }

  public static dev.tugboat.control.store.etcd.api.RangeRequest toProto(RangeRequest r) {
    return dev.tugboat.control.store.etcd.api.RangeRequest.newBuilder()
        .setKey(bytes(r.key())).setRangeEnd(bytes(r.rangeEnd())).setLimit(r.limit()).setRevision(r.revision())
        .setKeysOnly(r.keysOnly()).setCountOnly(r.countOnly()).setSerializable(r.serializable()).build();
  }

  public static dev.tugboat.control.store.etcd.api.TxnRequest toProto(TxnRequest r) {
    var b = dev.tugboat.control.store.etcd.api.TxnRequest.newBuilder();
    for (Compare c : r.compare()) {
      b.addCompare(toProto(c));
    }
    for (Op op : r.success()) {
      b.addSuccess(toProto(op));
    }
    for (Op op : r.failure()) {
      b.addFailure(toProto(op));
    }
    return b.build();
  }

  public static RequestOp toProto(Op op) {
    if (op instanceof RangeRequest r) {
      return RequestOp.newBuilder().setRequestRange(toProto(r)).build();
    } else if (op instanceof PutRequest p) {
      return RequestOp.newBuilder().setRequestPut(toProto(p)).build();
    } else if (op instanceof DeleteRangeRequest d) {
      return RequestOp.newBuilder().setRequestDeleteRange(toProto(d)).build();
    }
    return RequestOp.newBuilder().setRequestTxn(toProto((TxnRequest) op)).build();
  }

  public static dev.tugboat.control.store.etcd.api.Compare toProto(Compare c) {
    var b = dev.tugboat.control.store.etcd.api.Compare.newBuilder()
        .setKey(bytes(c.key())).setRangeEnd(bytes(c.rangeEnd()))
        .setResult(dev.tugboat.control.store.etcd.api.Compare.CompareResult.valueOf(c.result().name()))
        .setTarget(dev.tugboat.control.store.etcd.api.Compare.CompareTarget.valueOf(c.target().name()));
    switch (c.target()) {
      case VERSION -> b.setVersion(c.number());
      case CREATE -> b.setCreateRevision(c.number());
      case MOD -> b.setModRevision(c.number());
      case LEASE -> b.setLease(c.number());
      case VALUE -> b.setValue(bytes(c.value()));
    }
    return b.build();
  }

  public static dev.tugboat.control.store.etcd.api.KeyValue toProto(KeyValue kv) {
    return dev.tugboat.control.store.etcd.api.KeyValue.newBuilder()
        .setKey(bytes(kv.key())).setValue(bytes(kv.value())).setCreateRevision(kv.createRevision())
        .setModRevision(kv.modRevision()).setVersion(kv.version()).setLease(kv.lease()).build();
  }

  // ---- protos to records

  public static PutRequest fromProto(dev.tugboat.control.store.etcd.api.PutRequest p) {
    return new PutRequest(p.getKey().toByteArray(), p.getValue().toByteArray(), p.getLease(), p.getPrevKv(),
        p.getIgnoreValue(), p.getIgnoreLease());
  }

  public static DeleteRangeRequest fromProto(dev.tugboat.control.store.etcd.api.DeleteRangeRequest p) {
    return new DeleteRangeRequest(p.getKey().toByteArray(), p.getRangeEnd().toByteArray(), p.getPrevKv());
  }

  /** Sorting and the min/max revision filters of the proto have no record field: the gRPC layer applies them. */
  public static RangeRequest fromProto(dev.tugboat.control.store.etcd.api.RangeRequest p) {
    return new RangeRequest(p.getKey().toByteArray(), p.getRangeEnd().toByteArray(), p.getLimit(), p.getRevision(),
        p.getKeysOnly(), p.getCountOnly(), p.getSerializable());
  }

  public static TxnRequest fromProto(dev.tugboat.control.store.etcd.api.TxnRequest p) {
    List<Compare> compares = new ArrayList<>(p.getCompareCount());
    for (var c : p.getCompareList()) {
      compares.add(fromProto(c));
    }
    return new TxnRequest(compares, ops(p.getSuccessList()), ops(p.getFailureList()));
  }

  private static List<Op> ops(List<RequestOp> protos) {
    List<Op> ops = new ArrayList<>(protos.size());
    for (RequestOp op : protos) {
      ops.add(fromProto(op));
    }
    return ops;
  }

  /** A RequestOp with no request set is refused as etcd does ("key is not provided" would be misleading). */
  public static Op fromProto(RequestOp op) {
    return switch (op.getRequestCase()) {
      case REQUEST_RANGE -> fromProto(op.getRequestRange());
      case REQUEST_PUT -> fromProto(op.getRequestPut());
      case REQUEST_DELETE_RANGE -> fromProto(op.getRequestDeleteRange());
      case REQUEST_TXN -> fromProto(op.getRequestTxn());
      case REQUEST_NOT_SET -> throw new dev.tugboat.control.store.StoreException(
          dev.tugboat.control.store.StoreException.Code.INVALID_ARGUMENT, "txn: a request op names no request");
    };
  }

  public static Compare fromProto(dev.tugboat.control.store.etcd.api.Compare c) {
    Compare.Target target = switch (c.getTarget()) {
      case VERSION -> Compare.Target.VERSION;
      case CREATE -> Compare.Target.CREATE;
      case MOD -> Compare.Target.MOD;
      case VALUE -> Compare.Target.VALUE;
      case LEASE -> Compare.Target.LEASE;
      case UNRECOGNIZED -> throw new dev.tugboat.control.store.StoreException(
          dev.tugboat.control.store.StoreException.Code.INVALID_ARGUMENT,
          "txn: compare target " + c.getTargetValue() + " is unknown");
    };
    Compare.Result result = switch (c.getResult()) {
      case EQUAL -> Compare.Result.EQUAL;
      case GREATER -> Compare.Result.GREATER;
      case LESS -> Compare.Result.LESS;
      case NOT_EQUAL -> Compare.Result.NOT_EQUAL;
      case UNRECOGNIZED -> throw new dev.tugboat.control.store.StoreException(
          dev.tugboat.control.store.StoreException.Code.INVALID_ARGUMENT,
          "txn: compare result " + c.getResultValue() + " is unknown");
    };
    long number = switch (c.getTarget()) {
      case VERSION -> c.getVersion();
      case CREATE -> c.getCreateRevision();
      case MOD -> c.getModRevision();
      case LEASE -> c.getLease();
      default -> 0;
    };
    byte[] value = target == Compare.Target.VALUE ? c.getValue().toByteArray() : null;
    return new Compare(c.getKey().toByteArray(), c.getRangeEnd().toByteArray(), target, result, number, value);
  }

  public static KeyValue fromProto(dev.tugboat.control.store.etcd.api.KeyValue kv) {
    return new KeyValue(kv.getKey().toByteArray(), kv.getValue().toByteArray(), kv.getCreateRevision(),
        kv.getModRevision(), kv.getVersion(), kv.getLease());
  }

  /**
   * {@code b} wrapped, not copied: the arrays given here (a request's keys and values, a stored key value's) are never
   * changed once made, and a copy of each pod's JSON was 1.3 KB of the 40 KB the API server allocated per create.
   */
  static ByteString bytes(byte[] b) {
    return b == null || b.length == 0 ? ByteString.EMPTY : UnsafeByteOperations.unsafeWrap(b);
  }
}
