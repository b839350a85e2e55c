package dev.tugboat.control.apiserver;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** The resource layer as the transport sees it: serves every verb but watch as one response, and watch as a stream. */
public interface ResourceApi {

  /** Every served resource, for discovery and routing (a resource not listed here is 404). */
  List<ResourceInfo> resources();

  CompletableFuture<ApiResponse> handle(ApiRequest request);

  /**
   * {@link #handle}, with {@code completions} for the little left to do once the store has committed a write (the
   * response's bytes): the transport passes the connection's event loop, which writes the response anyway, so a
   * commit wakes that one thread, and no thread waits for the store meanwhile. Work given to it must not block.
   */
  default CompletableFuture<ApiResponse> handle(ApiRequest request, Executor completions) {
    return handle(request);
  }

  /**
   * Where the transport serves a request off its event loops (authentication, routing, then {@link #handle} or
   * {@link #watch}): threads that may block on the store. {@link #handle} called there serves on the calling thread,
   * without another hand-off. Inline by default, for a resource layer that never blocks.
   */
  default Executor requestExecutor() {
    return Runnable::run;
  }

  /**
   * Starts a watch. An error before the first event (bad selector, 410 Gone) completes the future with that
   * response and sends nothing; otherwise the future completes with null and events flow into {@code sink}.
   */
  CompletableFuture<ApiResponse> watch(ApiRequest request, WatchSink sink);
}
