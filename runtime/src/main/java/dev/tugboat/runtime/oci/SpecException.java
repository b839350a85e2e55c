package dev.tugboat.runtime.oci;

/** config.json is malformed or asks for something Tugboat does not do; the message names the JSON path. */
public final class SpecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SpecException(String message) {
    super(message);
  }
}
