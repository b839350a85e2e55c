package dev.tugboat.control.apiserver.resources.patch;

/**
 * A patch that cannot be applied. {@code invalidInput} tells a malformed patch (400) from a well-formed one that does
 * not fit the object (a failed {@code test}, a missing path: 422).
 */
public final class PatchException extends RuntimeException {

  private final boolean invalidInput;

  public PatchException(String message, boolean invalidInput) {
    super(message, null, false, false);
    this.invalidInput = invalidInput;
  }

  public static PatchException malformed(String message) {
    return new PatchException(message, true);
  }

  public static PatchException doesNotApply(String message) {
    return new PatchException(message, false);
  }

  public boolean invalidInput() {
    return invalidInput;
  }
}
