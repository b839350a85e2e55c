package dev.tugboat.control.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** jetcd, the Java etcd client, against the real gRPC server. */
class JetcdTest {

  private MvccKeyValueStore store;
  private EtcdGrpcServer server;
  private Client client;

  @BeforeEach
  void start() {
    // With -Dtest=JetcdTest surefire runs it in every execution; only the jetcd-client one has Vert.x 4.
    Assumptions.assumeTrue(hasVertx4(), "jetcd needs Vert.x 4, this classpath has fabric8's Vert.x 5: "
        + "JetcdTest runs in the jetcd-client surefire execution (control/pom.xml)");
    store = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(store,
        new SingleMemberCluster("jetcd", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
        List.of(new InetSocketAddress("127.0.0.1", 0)));
    client = Client.builder().endpoints("http://127.0.0.1:" + server.addresses().get(0).getPort()).build();
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
      server.close();
      store.close();
    }
  }

  private static boolean hasVertx4() {
    try {
      Class.forName("io.vertx.core.net.impl.VertxSslContext");
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static ByteSequence bs(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  @Test
  void putThenGetByKeyAndPrefix() throws Exception {
    KV kv = client.getKVClient();
    long revision = kv.put(bs("/registry/pods/a"), bs("1")).get(30, TimeUnit.SECONDS).getHeader().getRevision();
    kv.put(bs("/registry/pods/b"), bs("2")).get(30, TimeUnit.SECONDS);
    assertThat(revision).isEqualTo(2);
    var one = kv.get(bs("/registry/pods/a")).get(30, TimeUnit.SECONDS);
    assertThat(one.getKvs()).hasSize(1);
    assertThat(one.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8)).isEqualTo("1");
    var all = kv.get(bs("/registry/pods/"), GetOption.builder().isPrefix(true).build()).get(30, TimeUnit.SECONDS);
    assertThat(all.getCount()).isEqualTo(2);
    assertThat(all.getHeader().getRevision()).isEqualTo(3);
    assertThat(all.getHeader().getMemberId()).isNotZero();
  }

  @Test
  void watchDeliversPutsAndDeletesWithPreviousValues() throws Exception {
    KV kv = client.getKVClient();
    kv.put(bs("w/a"), bs("0")).get(30, TimeUnit.SECONDS);
    LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    WatchOption option = WatchOption.builder().isPrefix(true).withPrevKV(true).withRevision(2).build();
    try (Watch.Watcher watcher = client.getWatchClient().watch(bs("w/"), option, response -> {
      for (WatchEvent e : response.getEvents()) {
        seen.add(e.getEventType() + " " + e.getKeyValue().getKey().toString(StandardCharsets.UTF_8) + " "
            + e.getPrevKV().getValue().toString(StandardCharsets.UTF_8));
      }
    })) {
      kv.put(bs("w/a"), bs("1")).get(30, TimeUnit.SECONDS);
      kv.delete(bs("w/a")).get(30, TimeUnit.SECONDS);
      assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("PUT w/a ");
      assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("PUT w/a 0");
      assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("DELETE w/a 1");
    }
  }
}
