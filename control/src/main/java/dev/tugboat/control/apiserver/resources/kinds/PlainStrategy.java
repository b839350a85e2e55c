package dev.tugboat.control.apiserver.resources.kinds;

import dev.tugboat.control.apiserver.resources.ResourceStrategy;
import dev.tugboat.control.apiserver.resources.validation.FieldError;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Kinds with little of their own to check: ServiceAccount and Lease. Leases may be created by an update, as
 * Kubernetes allows, so leader election can write them blindly.
 */
public final class PlainStrategy extends ResourceStrategy {

  private final boolean lease;

  private PlainStrategy(boolean lease) {
    this.lease = lease;
  }

  public static PlainStrategy serviceAccount() {
    return new PlainStrategy(false);
  }

  public static PlainStrategy lease() {
    return new PlainStrategy(true);
  }

  @Override
  public boolean allowCreateOnUpdate() {
    return lease;
  }

  @Override
  public List<FieldError> validate(ObjectNode object) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode duration = object.path("spec").path("leaseDurationSeconds");
    if (lease && duration.isNumber() && duration.asLong() <= 0) {
      errors.add(FieldError.invalid("spec.leaseDurationSeconds", duration.asLong(), "must be greater than 0"));
    }
    return errors;
  }
}
