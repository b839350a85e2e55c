package dev.tugboat.bench.store;

import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.PutRequest;
import dev.tugboat.control.store.etcd.api.PutResponse;
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
      ResponseHeader header = ResponseHeader.newBuilder().setClusterId(1).setMemberId(1)
          .setRevision(revision.incrementAndGet()).setRaftTerm(1).build();
      response.onNext(PutResponse.newBuilder().setHeader(header).build());
      response.onCompleted();
    }
  }
}
