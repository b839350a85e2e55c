package dev.tugboat.control.store.bbolt;

import java.io.IOException;

/** A file that is not a bbolt database, or a damaged one; the message says where and what. */
public final class BoltFormatException extends IOException {
  private final boolean notBbolt;

  public BoltFormatException(String message) {
    this(message, false);
  }

  private BoltFormatException(String message, boolean notBbolt) {
    super(message);
    this.notBbolt = notBbolt;
  }

  /** The file has no bbolt meta page: it is something else, not a damaged database. */
  static BoltFormatException notBbolt(String why) {
    return new BoltFormatException("not a bbolt database: " + why, true);
  }

  public boolean notBbolt() {
    return notBbolt;
  }
}
