package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.store.StoreException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Waits for a store call on a resource-layer worker thread and turns store failures into API errors. */
public final class StoreCalls {

  private StoreCalls() {}

  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw StatusError.serviceUnavailable("interrupted while waiting for the store");
    } catch (ExecutionException e) {
      throw translate(e.getCause());
    } catch (CompletionException e) {
      throw translate(e.getCause());
    }
  }

  static RuntimeException translate(Throwable cause) {
    if (cause instanceof StatusError status) {
      return status;
    }
    if (cause instanceof StoreException store) {
      return switch (store.code()) {
        case COMPACTED -> StatusError.gone("too old resource version: " + store.getMessage());
        case TIMEOUT -> StatusError.timeout("store: " + store.getMessage());
        case NO_LEADER, STOPPED -> StatusError.serviceUnavailable("store unavailable: " + store.getMessage());
        case REQUEST_TOO_LARGE -> new StatusError(413, "RequestEntityTooLarge",
            "request is too large for the store: " + store.getMessage(), null);
        default -> StatusError.internal("store: " + store.code() + ": " + store.getMessage());
      };
    }
    return StatusError.internal(String.valueOf(cause));
  }
}
