package dev.tugboat.runtime.container;

/** No container with this id exists under the runtime's root. */
public final class ContainerNotFoundException extends ContainerException {
  private static final long serialVersionUID = 1L;

  public ContainerNotFoundException(String id) {
    super("container \"" + id + "\" does not exist");
  }
}
