package dev.tugboat.bench.store;

import dev.tugboat.control.store.etcd.api.DeleteRangeRequest;
import dev.tugboat.control.store.etcd.api.DeleteRangeResponse;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.PutResponse;
import dev.tugboat.control.store.etcd.api.RangeRequest;
import dev.tugboat.control.store.etcd.api.RangeResponse;
import dev.tugboat.control.store.etcd.api.ResponseHeader;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An etcd KV endpoint that answers every put at once and keeps nothing: no Raft, no log, no fsync. Sequential puts
 * from the bench's jetcd client against it are the client's and the loopback's share of a put on this machine, which
 * no store can go below; the bench reports them beside a bare fdatasync to show how far a target is from that floor.
 * Ranges find nothing and deletes delete nothing, which is all {@code etcdctl check perf} asks besides its puts: run
 * against three of these, it measures the most writes per second that etcdctl itself drives here.
 *
 * <p>Started by the bench with etcd's member flags (it reads only {@code --listen-client-urls}); the same gRPC server
 * settings as a Tugboat member: Netty transport, the call run on the thread that read it.
 */
public final class AnsweringKvServer {
  private AnsweringKvServer() {}

  public static void main(String[] args) throws Exception {
    String listen = null;
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--listen-client-urls")) {
        listen = args[i + 1];
      }
    }
    if (listen == null) {
      System.err.println("AnsweringKvServer: --listen-client-urls is required");
      System.exit(2);
    }
    URI uri = URI.create(listen.split(",")[0]);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(uri.getHost(), uri.getPort()))
        .directExecutor().addService(new Answering()).build().start();
    System.out.println("answering puts on " + uri);
    server.awaitTermination();
  }

  private static final class Answering extends KVGrpc.KVImplBase {
    private final AtomicLong revision = new AtomicLong(1);

    @Override
    public void put(PutRequest request, StreamObserver<PutResponse> response) {
      response.onNext(PutResponse.newBuilder().setHeader(header(revision.incrementAndGet())).build());
      response.onCompleted();
    }

    @Override
    public void range(RangeRequest request, StreamObserver<RangeResponse> response) {
      response.onNext(RangeResponse.newBuilder().setHeader(header(revision.get())).build());
      response.onCompleted();
    }

    @Override
    public void deleteRange(DeleteRangeRequest request, StreamObserver<DeleteRangeResponse> response) {
      response.onNext(DeleteRangeResponse.newBuilder().setHeader(header(revision.get())).build());
      response.onCompleted();
    }

    private static ResponseHeader header(long revision) {
      return ResponseHeader.newBuilder().setClusterId(1).setMemberId(1).setRevision(revision).setRaftTerm(1).build();
    }
  }
}
