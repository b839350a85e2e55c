package dev.tugboat.control.store.etcd;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.InputStream;

/**
 * Answers a request whose bytes are not the expected protobuf message with INVALID_ARGUMENT and the parser's reason.
 * Left alone, grpc-java fails such a call with UNKNOWN "Application error processing RPC", which tells the client
 * nothing. The request marshaller hands a {@link Malformed} marker on instead of throwing, and the call handler
 * turns the marker into that answer.
 */
final class MalformedRequests {

  private MalformedRequests() {}

  /** Why a request could not be parsed; stands in for the request (generics are erased, so the marker fits). */
  private record Malformed(String reason) {}

  static ServerServiceDefinition guard(ServerServiceDefinition service) {
    ServerServiceDefinition.Builder guarded = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      guarded.addMethod(guard(method));
    }
    return guarded.build();
  }

  private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    MethodDescriptor<Q, R> tolerant = descriptor.toBuilder(
        new TolerantMarshaller<>(descriptor.getRequestMarshaller()), descriptor.getResponseMarshaller()).build();
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    return ServerMethodDefinition.create(tolerant, (call, headers) -> refuseMalformed(call, headers, handler));
  }

  private static <Q, R> ServerCall.Listener<Q> refuseMalformed(ServerCall<Q, R> call, Metadata headers,
                                                                ServerCallHandler<Q, R> handler) {
    ServerCall.Listener<Q> delegate = handler.startCall(call, headers);
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
      private boolean refused;

      @Override
      public void onMessage(Q message) {
        if (refused) {
          return;
        }
        if ((Object) message instanceof Malformed m) {
          refused = true;
          call.close(Status.INVALID_ARGUMENT.withDescription(
              "etcdserver: malformed " + call.getMethodDescriptor().getBareMethodName() + " request: " + m.reason()),
              new Metadata());
          return;
        }
        super.onMessage(message);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          super.onHalfClose();
        }
      }
    };
  }

  private static final class TolerantMarshaller<Q> implements MethodDescriptor.Marshaller<Q> {
    private final MethodDescriptor.Marshaller<Q> parser;

    TolerantMarshaller(MethodDescriptor.Marshaller<Q> parser) {
      this.parser = parser;
    }

    @Override
    public InputStream stream(Q value) {
      return parser.stream(value);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Q parse(InputStream stream) {
      try {
        return parser.parse(stream);
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return (Q) (Object) new Malformed(cause.getMessage());
      }
    }
  }
}
