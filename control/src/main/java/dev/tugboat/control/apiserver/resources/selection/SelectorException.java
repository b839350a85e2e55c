package dev.tugboat.control.apiserver.resources.selection;

/** A label or field selector that does not parse; the message is what the API server answers (400). */
public final class SelectorException extends RuntimeException {
  public SelectorException(String message) {
    super(message, null, false, false);
  }
}
