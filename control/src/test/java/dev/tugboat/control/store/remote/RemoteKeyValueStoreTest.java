package dev.tugboat.control.store.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tugboat.control.store.Compare;
import dev.tugboat.control.store.DeleteRangeRequest;
import dev.tugboat.control.store.PutRequest;
import dev.tugboat.control.store.PutResponse;
import dev.tugboat.control.store.RangeRequest;
import dev.tugboat.control.store.RangeResponse;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.TxnRequest;
import dev.tugboat.control.store.TxnResponse;
import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.WatchRequest;
import dev.tugboat.control.store.etcd.EtcdGrpcServer;
import dev.tugboat.control.store.etcd.SingleMemberCluster;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The remote KeyValueStore against the store's own etcd v3 gRPC server over loopback. */
class RemoteKeyValueStoreTest {

  private MvccKeyValueStore local;
  private EtcdGrpcServer server;
  private RemoteKeyValueStore remote;

  @BeforeEach
  void start() {
    local = MvccKeyValueStore.inMemory();
    server = EtcdGrpcServer.start(local,
        new SingleMemberCluster("tug-test", List.of("http://127.0.0.1:2380"), List.of("http://127.0.0.1:2379"), "t"),
        List.of(new InetSocketAddress("127.0.0.1", 0)));
    remote = RemoteKeyValueStore.connect(List.of("http://127.0.0.1:" + server.addresses().get(0).getPort()));
  }

  @AfterEach
  void stop() {
    remote.close();
    server.close();
    local.close();
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void putRangeDeleteAndTxnReturnTheSameRecordsAsInProcess() {
    PutResponse put = remote.put(PutRequest.of(b("/a/1"), b("one"))).join();
    remote.put(PutRequest.of(b("/a/2"), b("two"))).join();
    assertThat(put.revision()).isEqualTo(local.currentRevision() - 1);
    RangeResponse range = remote.range(RangeRequest.prefix(b("/a/"))).join();
    assertThat(range.count()).isEqualTo(2);
    assertThat(new String(range.kvs().get(1).value(), StandardCharsets.UTF_8)).isEqualTo("two");
    assertThat(remote.currentRevision()).isEqualTo(local.currentRevision());

    TxnResponse txn = remote.txn(new TxnRequest(
        List.of(Compare.modRevision(b("/a/1"), Compare.Result.EQUAL, put.revision())),
        List.of(PutRequest.of(b("/a/1"), b("uno")), RangeRequest.key(b("/a/1"))), List.of())).join();
    assertThat(txn.succeeded()).isTrue();
    assertThat(txn.responses().get(1)).isInstanceOf(RangeResponse.class);
    assertThat(new String(((RangeResponse) txn.responses().get(1)).kvs().get(0).value(), StandardCharsets.UTF_8))
        .isEqualTo("uno");

    assertThat(remote.deleteRange(DeleteRangeRequest.key(b("/a/2"))).join().deleted()).isEqualTo(1);
  }

  @Test
  void watchDeliversEventsAndCompactionEndsAnOutdatedWatch() throws Exception {
    BlockingQueue<String> seen = new LinkedBlockingQueue<>();
    WatchListener listener = new WatchListener() {
      @Override
      public void onEvents(long revision, List<WatchEvent> events) {
        events.forEach(e -> seen.add(e.type() + " " + new String(e.kv().key(), StandardCharsets.UTF_8)));
      }

      @Override
      public void onCompacted(long compactRevision) {
        seen.add("compacted " + compactRevision);
      }

      @Override
      public void onClosed(Throwable cause) {
        seen.add("closed");
      }
    };
    // from the next revision, not from "now": the store may create the watch after the put below
    long before = remote.put(PutRequest.of(b("/before"), b("1"))).join().revision();
    try (Watch watch = remote.watch(WatchRequest.prefix(b("/w/"), before + 1), listener)) {
      remote.put(PutRequest.of(b("/w/x"), b("1"))).join();
      remote.deleteRange(DeleteRangeRequest.key(b("/w/x"))).join();
      assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("PUT /w/x");
      assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("DELETE /w/x");
    }
    long compactAt = remote.put(PutRequest.of(b("/other"), b("1"))).join().revision();
    remote.compact(compactAt).join();
    remote.watch(WatchRequest.prefix(b("/w/"), 1), listener);
    assertThat(seen.poll(30, TimeUnit.SECONDS)).isEqualTo("compacted " + compactAt);
    assertThat(remote.compactRevision()).isEqualTo(compactAt);

    assertThatThrownBy(() -> remote.range(RangeRequest.prefix(b("/w/")).atRevision(1)).join())
        .isInstanceOf(CompletionException.class).cause().isInstanceOf(StoreException.class)
        .extracting(e -> ((StoreException) e).code()).isEqualTo(StoreException.Code.COMPACTED);
  }

  @Test
  void leasesAreGrantedKeptAliveAndRevoked() {
    long id = remote.leaseGrant(30, 0).join().id();
    remote.put(new PutRequest(b("/l"), b("v"), id, false, false, false)).join();
    assertThat(remote.leaseKeepAlive(id).join()).isEqualTo(30);
    assertThat(remote.leaseTimeToLive(id, true).join().keys()).hasSize(1);
    remote.leaseRevoke(id).join();
    assertThat(remote.range(RangeRequest.key(b("/l"))).join().kvs()).isEmpty();
    assertThatThrownBy(() -> remote.leaseKeepAlive(id).join()).cause().isInstanceOf(StoreException.class)
        .extracting(e -> ((StoreException) e).code()).isEqualTo(StoreException.Code.LEASE_NOT_FOUND);
  }
}
