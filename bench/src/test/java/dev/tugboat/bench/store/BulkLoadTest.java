package dev.tugboat.bench.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class BulkLoadTest {

  /** What jetcd hands a put's future when the store answers with {@code status}. */
  private static Throwable failedPut(Status status) {
    return new CompletionException(EtcdExceptionFactory.toEtcdException(status.asRuntimeException()));
  }

  @Test
  void triesAgainWhenTheStoreHasNoLeaderOrTimesOut() {
    assertThat(BulkLoad.isTransient(failedPut(Status.UNAVAILABLE.withDescription("etcdserver: no leader")))).isTrue();
    assertThat(BulkLoad.isTransient(failedPut(Status.UNAVAILABLE.withDescription("etcdserver: request timed out"))))
        .isTrue();
    assertThat(BulkLoad.isTransient(failedPut(Status.DEADLINE_EXCEEDED))).isTrue();
  }

  @Test
  void givesUpOnErrorsThatDoNotPass() {
    assertThat(BulkLoad.isTransient(failedPut(Status.INVALID_ARGUMENT.withDescription(
        "etcdserver: request is too large")))).isFalse();
    assertThat(BulkLoad.isTransient(failedPut(Status.RESOURCE_EXHAUSTED.withDescription(
        "etcdserver: mvcc: database space exceeded")))).isFalse();
    assertThat(BulkLoad.isTransient(new CompletionException(new IllegalStateException("client closed")))).isFalse();
  }
}
