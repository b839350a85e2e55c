package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kinds with little of their own to check: ServiceAccount, Endpoints, EndpointSlice, Lease. Endpoints and Leases
 * may be created by an update, as Kubernetes allows for them.
 */
public final class PlainStrategy extends ResourceStrategy {

  private final boolean createOnUpdate;
  private final String requiredField;

  private PlainStrategy(boolean createOnUpdate, String requiredField) {
    this.createOnUpdate = createOnUpdate;
    this.requiredField = requiredField;
  }

  public static PlainStrategy serviceAccount() {
    return new PlainStrategy(false, null);
  }

  public static PlainStrategy endpoints() {
    return new PlainStrategy(true, null);
  }

  public static PlainStrategy endpointSlice() {
    return new PlainStrategy(false, "addressType");
  }

  public static PlainStrategy lease() {
    return new PlainStrategy(true, null);
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return createOnUpdate;
  }

  @Override
  public boolean tracksGeneration() {
    return requiredField != null;
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    if (requiredField != null && object.path(requiredField).asString("").isEmpty()) {
      errors.add(FieldError.required(requiredField, ""));
    }
    return errors;
  }
}
