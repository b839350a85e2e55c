package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.Watch;
import dev.tugboat.control.store.WatchEvent;
import dev.tugboat.control.store.WatchListener;
import dev.tugboat.control.store.etcd.api.Event;
import dev.tugboat.control.store.etcd.api.WatchCreateRequest;
import dev.tugboat.control.store.etcd.api.WatchGrpc;
import dev.tugboat.control.store.etcd.api.WatchRequest;
import dev.tugboat.control.store.etcd.api.WatchResponse;
import dev.tugboat.control.store.mvcc.EtcdMessages;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's Watch service: one bidirectional stream carries many watches, each with an id unique in the stream
 * (etcd numbers them from 0, or takes the client's). Progress requests are answered per watch, after the events
 * already queued for it, so a progress revision never overtakes an event. Fragmenting is not done.
 *
 * <p>Events wait for the client to take them (gRPC flow control): the store's watch then queues, and a watch that
 * falls far behind catches up from history later, so a slow client costs bounded memory.
 */
final class WatchService extends WatchGrpc.WatchImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(WatchService.class);

  private final MvccKeyValueStore store;
  private final ResponseHeaders headers;

  WatchService(MvccKeyValueStore store, ResponseHeaders headers) {
    this.store = store;
    this.headers = headers;
  }

  @Override
  public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
    Stream stream = new Stream((ServerCallStreamObserver<WatchResponse>) responses);
    stream.responses.setOnReadyHandler(stream::wakeSenders);
    stream.responses.setOnCancelHandler(stream::clientGone);
    return stream;
  }

  private final class Stream implements StreamObserver<WatchRequest> {
    private final ServerCallStreamObserver<WatchResponse> responses;
    private final Map<Long, Watch> watches = new ConcurrentHashMap<>();
    private final Object ready = new Object();
    private long nextId;
    private volatile boolean ended;

    Stream(ServerCallStreamObserver<WatchResponse> responses) {
      this.responses = responses;
    }

    void wakeSenders() {
      synchronized (ready) {
        ready.notifyAll();
      }
    }

    void clientGone() {
      ended = true;
      wakeSenders();
      cancelAll();
    }

    /** Holds a watch's delivery thread until the client can take more (or is gone). */
    private void awaitReady() {
      synchronized (ready) {
        while (!ended && !responses.isReady()) {
          try {
            ready.wait(1000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
      }
    }

    @Override
    public void onNext(WatchRequest request) {
      switch (request.getRequestUnionCase()) {
        case CREATE_REQUEST -> create(request.getCreateRequest());
        case CANCEL_REQUEST -> {
          long id = request.getCancelRequest().getWatchId();
          Watch watch = watches.remove(id);
          if (watch != null) {
            watch.cancel();
            send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCanceled(true).build());
          }
        }
        case PROGRESS_REQUEST -> watches.values().forEach(Watch::requestProgress);
        case REQUESTUNION_NOT_SET -> { }
      }
    }

    private void create(WatchCreateRequest c) {
      long id;
      synchronized (this) {
        if (c.getWatchId() > 0) {
          id = c.getWatchId();
          if (watches.containsKey(id)) {
            send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCreated(true)
                .setCanceled(true).setCancelReason("etcdserver: watch ID " + id + " is already in use").build());
            return;
          }
        } else {
          while (watches.containsKey(nextId)) {
            nextId++;
          }
          id = nextId++;
        }
      }
      boolean noPut = false;
      boolean noDelete = false;
      for (WatchCreateRequest.FilterType filter : c.getFiltersList()) {
        noPut |= filter == WatchCreateRequest.FilterType.NOPUT;
        noDelete |= filter == WatchCreateRequest.FilterType.NODELETE;
      }
      var request = new dev.tugboat.control.store.WatchRequest(c.getKey().toByteArray(),
          c.getRangeEnd().toByteArray(), c.getStartRevision(), c.getPrevKv(), c.getProgressNotify(), noPut, noDelete);
      // The created response goes first: the listener may deliver as soon as the watch starts.
      send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCreated(true).build());
      try {
        watches.put(id, store.watch(request, new Forwarder(id)));
      } catch (RuntimeException e) {
        send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCanceled(true)
            .setCancelReason(EtcdErrors.toStatus(e).getStatus().getDescription()).build());
      }
    }

    private final class Forwarder implements WatchListener {
      private final long id;

      Forwarder(long id) {
        this.id = id;
      }

      @Override
      public void onEvents(long revision, List<WatchEvent> events) {
        awaitReady();
        var b = WatchResponse.newBuilder().setHeader(headers.at(revision)).setWatchId(id);
        for (WatchEvent e : events) {
          var event = Event.newBuilder().setType(e.type() == WatchEvent.Type.PUT ? Event.EventType.PUT
              : Event.EventType.DELETE).setKv(EtcdMessages.toProto(e.kv()));
          if (e.prevKv() != null) {
            event.setPrevKv(EtcdMessages.toProto(e.prevKv()));
          }
          b.addEvents(event);
        }
        send(b.build());
      }

      @Override
      public void onProgress(long revision) {
        send(WatchResponse.newBuilder().setHeader(headers.at(revision)).setWatchId(id).build());
      }

      @Override
      public void onCompacted(long compactRevision) {
        watches.remove(id);
        send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCanceled(true)
            .setCompactRevision(compactRevision)
            .setCancelReason("etcdserver: mvcc: required revision has been compacted").build());
      }

      @Override
      public void onClosed(Throwable cause) {
        watches.remove(id);
        send(WatchResponse.newBuilder().setHeader(headers.current()).setWatchId(id).setCanceled(true)
            .setCancelReason(EtcdErrors.toStatus(cause).getStatus().getDescription()).build());
      }
    }

    private void send(WatchResponse response) {
      synchronized (responses) {
        if (ended) {
          return;
        }
        try {
          responses.onNext(response);
          return;
        } catch (RuntimeException e) {
          LOG.debug("watch stream: sending failed, ending its watches", e);
          ended = true;
        }
      }
      // Outside the lock: a cancel waits for deliveries that may be waiting for it.
      cancelAll();
    }

    private void cancelAll() {
      for (Watch watch : watches.values()) {
        watch.cancel();
      }
      watches.clear();
    }

    @Override
    public void onError(Throwable t) {
      clientGone();
    }

    @Override
    public void onCompleted() {
      cancelAll();
      synchronized (responses) {
        if (!ended) {
          ended = true;
          responses.onCompleted();
        }
      }
    }
  }
}
