package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.LeaseGrant;
import dev.tugboat.control.store.StoreException;
import dev.tugboat.control.store.etcd.api.LeaseGrantRequest;
import dev.tugboat.control.store.etcd.api.LeaseGrantResponse;
import dev.tugboat.control.store.etcd.api.LeaseGrpc;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveRequest;
import dev.tugboat.control.store.etcd.api.LeaseKeepAliveResponse;
import dev.tugboat.control.store.etcd.api.LeaseLeasesRequest;
import dev.tugboat.control.store.etcd.api.LeaseLeasesResponse;
import dev.tugboat.control.store.etcd.api.LeaseRevokeRequest;
import dev.tugboat.control.store.etcd.api.LeaseRevokeResponse;
import dev.tugboat.control.store.etcd.api.LeaseStatus;
import dev.tugboat.control.store.etcd.api.LeaseTimeToLiveRequest;
import dev.tugboat.control.store.etcd.api.LeaseTimeToLiveResponse;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;

/** etcd's Lease service. Keep-alives of an unknown lease answer TTL 0, as etcd does, rather than failing the stream. */
final class LeaseService extends LeaseGrpc.LeaseImplBase {

  private final MvccKeyValueStore store;
  private final ResponseHeaders headers;

  LeaseService(MvccKeyValueStore store, ResponseHeaders headers) {
    this.store = store;
    this.headers = headers;
  }

  @Override
  public void leaseGrant(LeaseGrantRequest request, StreamObserver<LeaseGrantResponse> response) {
    KvService.reply(store.leaseGrant(request.getTTL(), request.getID()),
        (LeaseGrant g) -> LeaseGrantResponse.newBuilder().setHeader(headers.current()).setID(g.id())
            .setTTL(g.ttlSeconds()).build(), response);
  }

  @Override
  public void leaseRevoke(LeaseRevokeRequest request, StreamObserver<LeaseRevokeResponse> response) {
    KvService.reply(store.leaseRevoke(request.getID()),
        v -> LeaseRevokeResponse.newBuilder().setHeader(headers.current()).build(), response);
  }

  @Override
  public StreamObserver<LeaseKeepAliveRequest> leaseKeepAlive(StreamObserver<LeaseKeepAliveResponse> response) {
    return new StreamObserver<>() {
      @Override
      public void onNext(LeaseKeepAliveRequest request) {
        store.leaseKeepAlive(request.getID()).whenComplete((ttl, failure) -> {
          long answer;
          if (failure == null) {
            answer = ttl;
          } else if (failure instanceof StoreException e && e.code() == StoreException.Code.LEASE_NOT_FOUND) {
            answer = 0;
          } else {
            synchronized (response) {
              response.onError(EtcdErrors.toStatus(failure));
            }
            return;
          }
          synchronized (response) {
            response.onNext(LeaseKeepAliveResponse.newBuilder().setHeader(headers.current())
                .setID(request.getID()).setTTL(answer).build());
          }
        });
      }

      @Override
      public void onError(Throwable t) {
        // The client went away; keep-alives simply stop.
      }

      @Override
      public void onCompleted() {
        synchronized (response) {
          response.onCompleted();
        }
      }
    };
  }

  @Override
  public void leaseTimeToLive(LeaseTimeToLiveRequest request, StreamObserver<LeaseTimeToLiveResponse> response) {
    KvService.reply(store.leaseTimeToLive(request.getID(), request.getKeys()), ttl -> {
      var b = LeaseTimeToLiveResponse.newBuilder().setHeader(headers.current()).setID(ttl.id())
          .setTTL(ttl.ttlSeconds()).setGrantedTTL(ttl.grantedTtlSeconds());
      for (byte[] key : ttl.keys()) {
        b.addKeys(ByteString.copyFrom(key));
      }
      return b.build();
    }, response);
  }

  @Override
  public void leaseLeases(LeaseLeasesRequest request, StreamObserver<LeaseLeasesResponse> response) {
    KvService.reply(store.leases(), leases -> {
      var b = LeaseLeasesResponse.newBuilder().setHeader(headers.current());
      for (LeaseGrant lease : leases) {
        b.addLeases(LeaseStatus.newBuilder().setID(lease.id()));
      }
      return b.build();
    }, response);
  }
}
