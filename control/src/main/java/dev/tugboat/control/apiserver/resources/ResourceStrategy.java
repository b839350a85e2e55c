package dev.tugboat.control.apiserver.resources;

import dev.tugboat.control.apiserver.resources.validation.FieldError;
import dev.tugboat.control.apiserver.resources.validation.Names;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What differs between kinds (Kubernetes' {@code rest.RESTCreateStrategy} and friends): defaults, validation,
 * which fields a write may touch, which fields a field selector may use. The generic logic lives in
 * {@link Registry}; a strategy only ever looks at the objects it is given.
 */
public class ResourceStrategy {

  /** The rule an object's name must follow; most kinds use a DNS-1123 subdomain. */
  public List<String> validateName(String name) {
    return Names.dns1123Subdomain(name);
  }

  /** Whether {@code status} is written only through the status subresource (and kept on main-resource writes). */
  public boolean hasStatus() {
    return false;
  }

  /** Whether an update of a missing object creates it (Kubernetes allows this for events, endpoints, leases). */
  public boolean allowCreateOnUpdate() {
    return false;
  }

  /** Whether changes outside metadata and status bump {@code metadata.generation}. */
  public boolean tracksGeneration() {
    return hasStatus();
  }

  /** Clears what a client may not set on create (status of most kinds) and sets initial state. */
  public void prepareForCreate(ObjectNode object) {
    if (hasStatus()) {
      object.remove("status");
    }
  }

  /** Main-resource update: keeps the old status when the kind has a status subresource. */
  public void prepareForUpdate(ObjectNode object, ObjectNode old) {
    if (hasStatus()) {
      JsonNode status = old.get("status");
      if (status == null) {
        object.remove("status");
      } else {
        object.set("status", status.deepCopy());
      }
    }
  }

  public void applyDefaults(ObjectNode object) {}

  /** Kind-specific validation of a new object (object metadata is validated by the registry). */
  public List<FieldError> validate(ObjectNode object) {
    return List.of();
  }

  /** Kind-specific validation of an update: immutable fields, plus {@link #validate}. */
  public List<FieldError> validateUpdate(ObjectNode object, ObjectNode old) {
    return validate(object);
  }

  /** Validation of a status-subresource update. */
  public List<FieldError> validateStatusUpdate(ObjectNode object, ObjectNode old) {
    return List.of();
  }

  /** Extra field-selector fields of this kind, besides metadata.name and metadata.namespace. */
  protected Map<String, String> extraFields(ObjectNode object) {
    return Map.of();
  }

  protected Set<String> extraFieldNames() {
    return Set.of();
  }

  public final Map<String, String> fields(ObjectNode object) {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("metadata.name", Tree.textOr(object, "", "metadata", "name"));
    fields.put("metadata.namespace", Tree.textOr(object, "", "metadata", "namespace"));
    fields.putAll(extraFields(object));
    return fields;
  }

  public final Set<String> fieldNames() {
    Set<String> names = new java.util.HashSet<>(extraFieldNames());
    names.add("metadata.name");
    names.add("metadata.namespace");
    return names;
  }

  /** Store-side allocations (cluster IPs, node ports) committed with this kind's writes; null if none. */
  public Allocator allocator() {
    return null;
  }

  /** Whether an update that empties the finalizers of an object being deleted should delete it. */
  public boolean deleteWhenFinalized(ObjectNode object) {
    return true;
  }
}
