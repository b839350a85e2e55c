package dev.tugboat.control.store.etcd;

import com.google.protobuf.ByteString;
import dev.tugboat.control.store.etcd.api.AlarmRequest;
import dev.tugboat.control.store.etcd.api.AlarmResponse;
import dev.tugboat.control.store.etcd.api.DefragmentRequest;
import dev.tugboat.control.store.etcd.api.DefragmentResponse;
import dev.tugboat.control.store.etcd.api.HashKVRequest;
import dev.tugboat.control.store.etcd.api.HashKVResponse;
import dev.tugboat.control.store.etcd.api.HashRequest;
import dev.tugboat.control.store.etcd.api.HashResponse;
import dev.tugboat.control.store.etcd.api.MaintenanceGrpc;
import dev.tugboat.control.store.etcd.api.MoveLeaderRequest;
import dev.tugboat.control.store.etcd.api.MoveLeaderResponse;
import dev.tugboat.control.store.etcd.api.SnapshotRequest;
import dev.tugboat.control.store.etcd.api.SnapshotResponse;
import dev.tugboat.control.store.etcd.api.StatusRequest;
import dev.tugboat.control.store.etcd.api.StatusResponse;
import dev.tugboat.control.store.mvcc.MvccKeyValueStore;
import dev.tugboat.control.store.mvcc.Proposer;
import dev.tugboat.control.store.mvcc.StoreStateMachine;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import dev.tugboat.control.store.mvcc.EtcdBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Maintenance service. The store is in memory, so there is nothing to defragment and no space alarm to raise.
 * The snapshot is etcd 3.4's backend ({@link EtcdBackend}: a bbolt database) made from the state the proposer captures,
 * then its SHA-256, as etcd sends it: {@code etcdctl snapshot status} and {@code restore} read it, and a real etcd
 * starts on what they restore.
 */
final class MaintenanceService extends MaintenanceGrpc.MaintenanceImplBase {

  /** The etcd version this API speaks, as reported by Status. */
  static final String ETCD_API_VERSION = "3.5.0";
  private static final int SNAPSHOT_CHUNK_BYTES = 32 * 1024;
  private static final int SHA256_LENGTH = 32;

  private final MvccKeyValueStore store;
  private final Membership membership;
  private final ResponseHeaders headers;

  MaintenanceService(MvccKeyValueStore store, Membership membership, ResponseHeaders headers) {
    this.store = store;
    this.membership = membership;
    this.headers = headers;
  }

  @Override
  public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
    StoreStateMachine sm = store.stateMachine();
    long size = sm.approximateBytes();
    KvService.reply(CompletableFuture.completedFuture(sm.appliedIndex()),
        index -> StatusResponse.newBuilder().setHeader(headers.current()).setVersion(ETCD_API_VERSION)
            .setDbSize(size).setDbSizeInUse(size).setLeader(membership.leaderId()).setRaftIndex(index)
            .setRaftAppliedIndex(index).setRaftTerm(store.proposer().term()).build(), response);
  }

  @Override
  public void alarm(AlarmRequest request, StreamObserver<AlarmResponse> response) {
    KvService.reply(CompletableFuture.completedFuture(0),
        none -> AlarmResponse.newBuilder().setHeader(headers.current()).build(), response);
  }

  @Override
  public void defragment(DefragmentRequest request, StreamObserver<DefragmentResponse> response) {
    KvService.reply(CompletableFuture.completedFuture(0),
        none -> DefragmentResponse.newBuilder().setHeader(headers.current()).build(), response);
  }

  @Override
  public void hash(HashRequest request, StreamObserver<HashResponse> response) {
    int hash = store.stateMachine().hash(0);
    KvService.reply(CompletableFuture.completedFuture(hash),
        h -> HashResponse.newBuilder().setHeader(headers.current()).setHash(h).build(), response);
  }

  @Override
  public void hashKV(HashKVRequest request, StreamObserver<HashKVResponse> response) {
    int hash = store.stateMachine().hash(request.getRevision());
    KvService.reply(CompletableFuture.completedFuture(hash),
        h -> HashKVResponse.newBuilder().setHeader(headers.current()).setHash(h)
            .setCompactRevision(store.compactRevision()).build(), response);
  }

  @Override
  public void moveLeader(MoveLeaderRequest request, StreamObserver<MoveLeaderResponse> response) {
    if (request.getTargetID() == membership.leaderId()) {
      KvService.reply(CompletableFuture.completedFuture(0),
          none -> MoveLeaderResponse.newBuilder().setHeader(headers.current()).build(), response);
    } else {
      response.onError(Status.NOT_FOUND.withDescription("etcdserver: bad leader transferee").asRuntimeException());
    }
  }

  @Override
  public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> response) {
    // gRPC takes the flow-control handlers only before this method returns; the file comes later
    SnapshotSender sender = new SnapshotSender((ServerCallStreamObserver<SnapshotResponse>) response);
    List<EtcdBackend.Member> members = membership.members().stream()
        .map(m -> new EtcdBackend.Member(m.id(), m.name(), m.peerUrls(), m.clientUrls(), m.learner())).toList();
    store.proposer().captureBackup(store.stateMachine()).whenCompleteAsync((backup, failed) -> {
      if (failed != null) {
        sender.fail(failed);
        return;
      }
      Path db = null;
      try {
        db = Files.createTempFile("tug-store-snapshot", ".db");
        long size = writeBackend(backup, members, db);
        sender.start(db, size);
      } catch (IOException | RuntimeException e) {
        deleteQuietly(db);
        sender.fail(e);
      }
    });
  }

  /** Writes the captured state as etcd's backend, then the SHA-256 of it as etcd appends it; returns the file's size. */
  private static long writeBackend(Proposer.Backup backup, List<EtcdBackend.Member> members, Path db)
      throws IOException {
    try (FileChannel out = FileChannel.open(db, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = backup.state().writeEtcdBackend(backup.consistentIndex(), members, out);
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16);
      for (long at = 0; at < size; ) {
        chunk.clear().limit((int) Math.min(chunk.capacity(), size - at));
        int n = out.read(chunk, at);
        if (n < 0) {
          throw new IOException("snapshot " + db + " ends at " + at + " of " + size + " bytes");
        }
        sha256.update(chunk.flip());
        at += n;
      }
      ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
      for (long at = size; digest.hasRemaining(); ) {
        at += out.write(digest, at);
      }
      return size + SHA256_LENGTH;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static void deleteQuietly(Path file) {
    if (file == null) {
      return;
    }
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a temporary file left behind is all there is to lose
    }
  }

  /**
   * Streams the snapshot file as fast as the client reads it (gRPC flow control), then deletes it. gRPC's ready and
   * cancel callbacks and the thread that wrote the file all call in, hence the lock.
   */
  private final class SnapshotSender {
    private final ServerCallStreamObserver<SnapshotResponse> response;
    private Path file;
    private long total;
    private InputStream in;
    private long sent;
    private boolean done;

    SnapshotSender(ServerCallStreamObserver<SnapshotResponse> response) {
      this.response = response;
      response.setOnCancelHandler(() -> finish(null));
      response.setOnReadyHandler(this::pump);
    }

    synchronized void start(Path file, long total) {
      this.file = file;
      this.total = total;
      if (done) { // cancelled while the file was written
        deleteQuietly(file);
        return;
      }
      try {
        in = Files.newInputStream(file);
      } catch (IOException e) {
        finish(e);
        return;
      }
      pump();
    }

    synchronized void fail(Throwable failure) {
      finish(failure);
    }

    private synchronized void pump() {
      if (in == null) {
        return; // not written yet: start pumps
      }
      try {
        while (!done && response.isReady()) {
          byte[] chunk = in.readNBytes(SNAPSHOT_CHUNK_BYTES);
          sent += chunk.length;
          if (chunk.length > 0) {
            response.onNext(SnapshotResponse.newBuilder().setHeader(headers.current())
                .setRemainingBytes(total - sent).setBlob(ByteString.copyFrom(chunk)).build());
          }
          if (sent >= total) {
            response.onCompleted();
            finish(null);
          }
        }
      } catch (IOException | RuntimeException e) {
        finish(e);
      }
    }

    private synchronized void finish(Throwable failure) {
      if (done) {
        return;
      }
      done = true;
      try {
        if (in != null) {
          in.close();
        }
      } catch (IOException e) {
        // the temporary file goes anyway
      }
      deleteQuietly(file);
      if (failure != null) {
        try {
          response.onError(Status.INTERNAL.withDescription("etcdserver: snapshot: " + failure).asRuntimeException());
        } catch (RuntimeException ignored) {
          // The call is already over.
        }
      }
    }
  }
}
