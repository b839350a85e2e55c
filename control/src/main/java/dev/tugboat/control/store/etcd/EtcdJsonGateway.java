package dev.tugboat.control.store.etcd;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.tugboat.control.store.etcd.api.ClusterGrpc;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.LeaseGrpc;
import dev.tugboat.control.store.etcd.api.MaintenanceGrpc;
import dev.tugboat.control.store.etcd.api.WatchGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MappingIterator;
import tools.jackson.databind.ObjectMapper;

/**
 * etcd's gRPC gateway: the v3 API as JSON over HTTP/1.1 on the client port ({@code curl -X POST
 * http://127.0.0.1:2379/v3/kv/put -d '{"key":"Zm9v","value":"YmFy"}'}), with the paths of the API's
 * {@code google.api.http} options under {@code /v3/} (and {@code /v3beta/}, which etcd 3.4 still serves). Each
 * request becomes a call on the member's own gRPC services through an in-process channel, so the gateway answers
 * exactly what gRPC clients get; JSON is protobuf's JSON mapping with the proto field names, as etcd's gateway
 * prints it (64-bit integers as strings, bytes in base64, defaults left out).
 *
 * <p>Streams: the body holds one or more JSON requests; each response is one line {@code {"result":...}}, an error
 * after the stream began one line {@code {"error":{...}}}. A watch stays open after the body's requests until the
 * client goes away, as etcd's does (its watch server ignores the end of the client's half); a keep-alive ends once
 * answered.
 */
public final class EtcdJsonGateway {

  /** Where the answer goes; called from gRPC's threads. */
  public interface Responder {
    /** A complete answer of one JSON document. */
    void whole(int status, String json);

    /** A stream's head (200, chunked JSON); then {@link #line}s, then {@link #end}. */
    void streamStart();

    void line(String json);

    void end();
  }

  /** Loaded with the first gateway request, not with every member: most never see one. */
  private static final class Codecs {
    static final ObjectMapper JSON = new ObjectMapper();
    static final JsonFormat.Printer PRINTER = JsonFormat.printer().preservingProtoFieldNames()
        .omittingInsignificantWhitespace();
    static final JsonFormat.Parser PARSER = JsonFormat.parser();
    static final Map<String, MethodDescriptor<?, ?>> METHODS = methods();
  }

  private final Channel channel;

  /** A gateway to the services served on {@code channel} (an in-process channel to this member's server). */
  public EtcdJsonGateway(Channel channel) {
    this.channel = channel;
  }

  /** Whether {@code path} is the gateway's (known or not: an unknown one under its prefixes is its 404). */
  public static boolean serves(String path) {
    return path.startsWith("/v3/") || path.startsWith("/v3beta/");
  }

  private static Map<String, MethodDescriptor<?, ?>> methods() {
    Map<String, MethodDescriptor<?, ?>> m = new LinkedHashMap<>();
    m.put("kv/range", KVGrpc.getRangeMethod());
    m.put("kv/put", KVGrpc.getPutMethod());
    m.put("kv/deleterange", KVGrpc.getDeleteRangeMethod());
    m.put("kv/txn", KVGrpc.getTxnMethod());
    m.put("kv/compaction", KVGrpc.getCompactMethod());
    m.put("watch", WatchGrpc.getWatchMethod());
    m.put("lease/grant", LeaseGrpc.getLeaseGrantMethod());
    m.put("lease/revoke", LeaseGrpc.getLeaseRevokeMethod());
    m.put("kv/lease/revoke", LeaseGrpc.getLeaseRevokeMethod());
    m.put("lease/keepalive", LeaseGrpc.getLeaseKeepAliveMethod());
    m.put("lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod());
    m.put("kv/lease/timetolive", LeaseGrpc.getLeaseTimeToLiveMethod());
    m.put("lease/leases", LeaseGrpc.getLeaseLeasesMethod());
    m.put("kv/lease/leases", LeaseGrpc.getLeaseLeasesMethod());
    m.put("cluster/member/add", ClusterGrpc.getMemberAddMethod());
    m.put("cluster/member/remove", ClusterGrpc.getMemberRemoveMethod());
    m.put("cluster/member/update", ClusterGrpc.getMemberUpdateMethod());
    m.put("cluster/member/list", ClusterGrpc.getMemberListMethod());
    m.put("cluster/member/promote", ClusterGrpc.getMemberPromoteMethod());
    m.put("maintenance/alarm", MaintenanceGrpc.getAlarmMethod());
    m.put("maintenance/status", MaintenanceGrpc.getStatusMethod());
    m.put("maintenance/defragment", MaintenanceGrpc.getDefragmentMethod());
    m.put("maintenance/hash", MaintenanceGrpc.getHashMethod());
    m.put("maintenance/hashkv", MaintenanceGrpc.getHashKVMethod());
    m.put("maintenance/snapshot", MaintenanceGrpc.getSnapshotMethod());
    m.put("maintenance/transfer-leadership", MaintenanceGrpc.getMoveLeaderMethod());
    return Map.copyOf(m);
  }

  /**
   * Serves one request; returns what ends its call early (the client went away), a no-op for a call already over.
   */
  @SuppressWarnings("unchecked")
  public Runnable serve(String httpMethod, String path, byte[] body, Responder out) {
    String name = path.substring(path.indexOf('/', 1) + 1);
    MethodDescriptor<Message, Message> method = (MethodDescriptor<Message, Message>) Codecs.METHODS.get(name);
    if (method == null) {
      out.whole(404, error(Status.Code.NOT_FOUND, "Not Found"));
      return () -> { };
    }
    if (!httpMethod.equals("POST")) {
      out.whole(405, error(Status.Code.UNIMPLEMENTED, "Method Not Allowed"));
      return () -> { };
    }
    List<Message> requests;
    try {
      requests = requests(method, body);
    } catch (IllegalArgumentException e) {
      out.whole(400, error(Status.Code.INVALID_ARGUMENT, e.getMessage()));
      return () -> { };
    }
    ClientCall<Message, Message> call = channel.newCall(method, CallOptions.DEFAULT);
    switch (method.getType()) {
      case UNARY -> ClientCalls.asyncUnaryCall(call, requests.get(0), new Whole(out));
      case SERVER_STREAMING -> {
        out.streamStart();
        ClientCalls.asyncServerStreamingCall(call, requests.get(0), new Lines(out));
      }
      default -> {
        out.streamStart();
        StreamObserver<Message> sending = ClientCalls.asyncBidiStreamingCall(call, new Lines(out));
        requests.forEach(sending::onNext);
        if (method != (MethodDescriptor<?, ?>) WatchGrpc.getWatchMethod()) {
          sending.onCompleted();
        }
      }
    }
    return () -> call.cancel("the HTTP client went away", null);
  }

  /** The body's JSON requests in order; an empty body is one empty request, as etcd's gateway reads it. */
  private static List<Message> requests(MethodDescriptor<Message, Message> method, byte[] body) {
    Message prototype = (Message) ((MethodDescriptor.PrototypeMarshaller<?>) method.getRequestMarshaller())
        .getMessagePrototype();
    List<Message> requests = new ArrayList<>();
    try (MappingIterator<JsonNode> documents = Codecs.JSON.readerFor(JsonNode.class).readValues(body)) {
      while (documents.hasNext()) {
        Message.Builder builder = prototype.newBuilderForType();
        Codecs.PARSER.merge(documents.next().toString(), builder);
        requests.add(builder.build());
      }
    } catch (JacksonException | InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst()
          .orElse(e.toString()), e);
    }
    if (requests.isEmpty()) {
      requests.add(prototype);
    }
    return requests;
  }

  /** grpc-gateway 1.x's error body: the message twice (as "error" and "message") and the gRPC code. */
  static String error(Status.Code code, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    body.put("code", code.value());
    body.put("message", message);
    return Codecs.JSON.writeValueAsString(body);
  }

  /** The HTTP status grpc-gateway 1.x (etcd 3.4's) gives a gRPC code. */
  static int httpStatus(Status.Code code) {
    return switch (code) {
      case OK -> 200;
      case CANCELLED -> 408;
      case INVALID_ARGUMENT, OUT_OF_RANGE -> 400;
      case DEADLINE_EXCEEDED -> 504;
      case NOT_FOUND -> 404;
      case ALREADY_EXISTS, ABORTED -> 409;
      case PERMISSION_DENIED -> 403;
      case UNAUTHENTICATED -> 401;
      case RESOURCE_EXHAUSTED -> 429;
      case FAILED_PRECONDITION -> 412;
      case UNIMPLEMENTED -> 501;
      case UNAVAILABLE -> 503;
      default -> 500;
    };
  }

  private static String print(Message message) {
    try {
      return Codecs.PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("etcd gateway: cannot print " + message.getDescriptorForType().getName(), e);
    }
  }

  private record Whole(Responder out) implements StreamObserver<Message> {
    @Override
    public void onNext(Message value) {
      out.whole(200, print(value));
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
      out.whole(httpStatus(status.getCode()), error(status.getCode(), message));
    }

    @Override
    public void onCompleted() {}
  }

  private record Lines(Responder out) implements StreamObserver<Message> {
    @Override
    public void onNext(Message value) {
      out.line("{\"result\":" + print(value) + "}");
    }

    @Override
    public void onError(Throwable t) {
      Status status = Status.fromThrowable(t);
      if (status.getCode() != Status.Code.CANCELLED) {
        String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
        int http = httpStatus(status.getCode());
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("grpc_code", status.getCode().value());
        error.put("http_code", http);
        error.put("message", message);
        error.put("http_status", io.netty.handler.codec.http.HttpResponseStatus.valueOf(http)
            .reasonPhrase());
        out.line(Codecs.JSON.writeValueAsString(Map.of("error", error)));
      }
      out.end();
    }

    @Override
    public void onCompleted() {
      out.end();
    }
  }
}
