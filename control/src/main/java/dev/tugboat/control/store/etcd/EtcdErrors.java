package dev.tugboat.control.store.etcd;

import dev.tugboat.control.store.StoreException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Store errors as etcd answers them on the wire: the same gRPC codes and the same messages, because etcd clients
 * (clientv3, jetcd) recognise errors by their message text.
 */
final class EtcdErrors {

  private static final Logger LOG = LoggerFactory.getLogger(EtcdErrors.class);

  private EtcdErrors() {}

  static StatusRuntimeException toStatus(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof StatusRuntimeException s) {
      return s;
    }
    if (!(t instanceof StoreException e)) {
      LOG.warn("etcd API: unexpected failure", t);
      return Status.INTERNAL.withDescription("etcdserver: " + t).withCause(t).asRuntimeException();
    }
    return switch (e.code()) {
      case COMPACTED -> status(Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision has been compacted");
      case FUTURE_REVISION -> status(Status.OUT_OF_RANGE, "etcdserver: mvcc: required revision is a future revision");
      case LEASE_NOT_FOUND -> status(Status.NOT_FOUND, "etcdserver: requested lease not found");
      case LEASE_EXISTS -> status(Status.FAILED_PRECONDITION, "etcdserver: lease already exists");
      case LEASE_TTL_TOO_LARGE -> status(Status.OUT_OF_RANGE, "etcdserver: too large lease TTL");
      case REQUEST_TOO_LARGE -> status(Status.INVALID_ARGUMENT, "etcdserver: request is too large");
      case TOO_MANY_OPS -> status(Status.INVALID_ARGUMENT, "etcdserver: too many operations in txn request");
      case DUPLICATE_KEY -> status(Status.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request");
      case EMPTY_KEY -> status(Status.INVALID_ARGUMENT, "etcdserver: key is not provided");
      case KEY_NOT_FOUND -> status(Status.INVALID_ARGUMENT, "etcdserver: key not found");
      case VALUE_PROVIDED -> status(Status.INVALID_ARGUMENT, "etcdserver: value is provided");
      case LEASE_PROVIDED -> status(Status.INVALID_ARGUMENT, "etcdserver: lease is provided");
      case NO_LEADER -> status(Status.UNAVAILABLE, "etcdserver: no leader");
      case TIMEOUT -> status(Status.UNAVAILABLE, "etcdserver: request timed out");
      case STOPPED -> status(Status.UNAVAILABLE, "etcdserver: server stopped");
      case MEMBER_NOT_FOUND -> status(Status.NOT_FOUND, "etcdserver: member not found");
      case CORRUPT -> status(Status.DATA_LOSS, "etcdserver: corrupt cluster");
      case INVALID_ARGUMENT -> status(Status.INVALID_ARGUMENT, "etcdserver: " + e.getMessage());
      case MEMBER_EXISTS -> status(Status.FAILED_PRECONDITION, "etcdserver: member ID already exist");
      case PEER_URL_EXISTS -> status(Status.FAILED_PRECONDITION, "etcdserver: Peer URLs already exists");
      case MEMBER_BAD_URLS -> status(Status.INVALID_ARGUMENT, "etcdserver: given member URLs are invalid");
      case MEMBER_NOT_LEARNER -> status(Status.FAILED_PRECONDITION, "etcdserver: can only promote a learner member");
      case LEARNER_NOT_READY -> status(Status.FAILED_PRECONDITION,
          "etcdserver: can only promote a learner member which is in sync with leader");
      case TOO_MANY_LEARNERS -> status(Status.FAILED_PRECONDITION, "etcdserver: too many learner members in cluster");
      case NOT_ENOUGH_STARTED_MEMBERS -> status(Status.FAILED_PRECONDITION,
          "etcdserver: re-configuration failed due to not enough started members");
      case NOT_LEADER -> status(Status.UNAVAILABLE, "etcdserver: not leader");
    };
  }

  static StatusRuntimeException invalid(String message) {
    return status(Status.INVALID_ARGUMENT, "etcdserver: " + message);
  }

  private static StatusRuntimeException status(Status status, String message) {
    return status.withDescription(message).asRuntimeException();
  }
}
