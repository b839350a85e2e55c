package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.StatusRequest;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.BooleanSupplier;

/**
 * What a learner answers, as etcd 3.4 decides it before any service runs: a learner is not yet a full copy of the
 * cluster's state it may vouch for, so it serves only serializable ranges (its own, possibly stale, data) and its
 * status. Writes, linearizable reads and every stream (watch, lease keep-alive, snapshot) get UNAVAILABLE "rpc not
 * supported for learner", which etcd's clients take as "try another endpoint".
 */
final class LearnerRequests implements ServerInterceptor {

  static final String NOT_SUPPORTED = "etcdserver: rpc not supported for learner";

  private final BooleanSupplier learner;

  /** {@code learner} says whether this member is a learner now (a promotion changes it while serving). */
  LearnerRequests(BooleanSupplier learner) {
    this.learner = learner;
  }

  static boolean supportedOnLearner(Object request) {
    return request instanceof StatusRequest
        || request instanceof RangeRequest range && range.getSerializable();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                     ServerCallHandler<Q, R> next) {
    if (!learner.getAsBoolean()) {
      return next.startCall(call, headers);
    }
    if (call.getMethodDescriptor().getType() != MethodDescriptor.MethodType.UNARY) {
      call.close(Status.UNAVAILABLE.withDescription(NOT_SUPPORTED), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    ServerCall.Listener<Q> delegate = next.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (!refused && !supportedOnLearner(message)) {
          refused = true;
          call.close(Status.UNAVAILABLE.withDescription(NOT_SUPPORTED), new Metadata());
        }
        if (!refused) {
          super.onMessage(message);
        }
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }
}
