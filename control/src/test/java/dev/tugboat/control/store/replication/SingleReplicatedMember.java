package dev.tugboat.control.store.replication;

import dev.tugboat.control.store.etcd.EtcdGrpcServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One replicated member (Raft + Chronicle log, no peers) serving the etcd API, for measuring the replicated write
 * path against etcd ({@code tug store} runs one member on the embedded store). Not a test:
 * {@code SingleReplicatedMember dataDir clientPort [snapshotCount]}; stops on SIGTERM.
 */
public final class SingleReplicatedMember {
  public static void main(String[] args) throws Exception {
    ReplicatedStoreConfig config = new ReplicatedStoreConfig("bench", Path.of(args[0]),
        Map.of("bench", List.of("http://127.0.0.1:1")), "bench", List.of(), List.of(), List.of(),
        Duration.ofMillis(100), Duration.ofSeconds(1), args.length > 2 ? Long.parseLong(args[2]) : 100_000);
    ReplicatedStore store = ReplicatedStore.start(config);
    EtcdGrpcServer server = EtcdGrpcServer.start(store.store(), store.membership(),
        List.of(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[1]))));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      store.close();
    }));
    System.out.println("serving on " + server.addresses());
    Thread.currentThread().join();
  }
}
