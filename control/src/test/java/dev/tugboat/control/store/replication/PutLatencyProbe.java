package dev.tugboat.control.store.replication;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.etcd.api.KVGrpc;
import dev.tugboat.control.store.etcd.api.PutRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Sequential 256-byte puts from one gRPC client against each endpoint given, alternating rounds so that every
 * endpoint sees the same machine load; prints p50 and p99 per endpoint. Not a test: a measuring tool
 * ({@code PutLatencyProbe host:port[,host:port...] [puts] [rounds]}).
 */
public final class PutLatencyProbe {
  public static void main(String[] args) throws Exception {
    String[] endpoints = args[0].split(",");
    int puts = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    long[][] samples = new long[endpoints.length][puts * rounds];
    ManagedChannel[] channels = new ManagedChannel[endpoints.length];
    for (int e = 0; e < endpoints.length; e++) {
      String[] hp = endpoints[e].split(":");
      channels[e] = ManagedChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build();
    }
    ByteString value = ByteString.copyFrom(new byte[256]);
    for (int e = 0; e < endpoints.length; e++) { // warm up both sides
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels[e]);
      for (int i = 0; i < 300; i++) {
        kv.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("warm" + i)).setValue(value).build());
      }
    }
    for (int r = 0; r < rounds; r++) {
      for (int e = 0; e < endpoints.length; e++) {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channels[e]);
        for (int i = 0; i < puts; i++) {
          PutRequest put = PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("probe/" + (i % 100)))
              .setValue(value).build();
          long start = System.nanoTime();
          kv.withDeadlineAfter(10, TimeUnit.SECONDS).put(put);
          samples[e][r * puts + i] = System.nanoTime() - start;
        }
      }
    }
    for (int e = 0; e < endpoints.length; e++) {
      long[] s = samples[e].clone();
      Arrays.sort(s);
      System.out.printf("%-22s p50 %.3f ms  p99 %.3f ms  max %.3f ms  n=%d%n", endpoints[e], s[s.length / 2] / 1e6,
          s[(int) (s.length * 0.99)] / 1e6, s[s.length - 1] / 1e6, s.length);
      channels[e].shutdownNow();
    }
  }
}
