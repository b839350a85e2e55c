package dev.tugboat.runtime.container;

/** A lifecycle operation failed; the message names the container, the step and the cause. */
public class ContainerException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ContainerException(String message) {
    super(message);
  }

  public ContainerException(String message, Throwable cause) {
    super(message, cause);
  }
}
