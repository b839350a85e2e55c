package dev.tugboat.control.store;

/** A running watch. Cancelling is idempotent; no callback follows a completed cancel. */
public interface Watch extends AutoCloseable {

  long id();

  void requestProgress();

  void cancel();

  @Override
  default void close() {
    cancel();
  }
}
