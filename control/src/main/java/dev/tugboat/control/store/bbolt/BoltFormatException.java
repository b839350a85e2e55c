package dev.tugboat.control.store.bbolt;

import java.io.IOException;

/** A file that is not a bbolt database, or a damaged one; the message says where and what. */
public final class BoltFormatException extends IOException {
  public BoltFormatException(String message) {
    super(message);
  }
}
