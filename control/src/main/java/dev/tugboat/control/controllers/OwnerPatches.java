package dev.tugboat.control.controllers;

import dev.tugboat.control.apiserver.resources.StatusError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The writes the workload controllers and the garbage collector make, each guarded as kube's are: metadata lists
 * changed only if the object has not changed since it was read, a status written only when it differs, a delete of
 * something already gone not an error.
 */
final class OwnerPatches {

  private static final JsonMapper JSON = JsonMapper.shared();

  private OwnerPatches() {}

  static void setOwners(LoopbackClient api, String group, String resource, JsonNode object, ArrayNode owners) {
    metadataList(api, group, resource, object, "ownerReferences", owners);
  }

  /**
   * A merge patch of one list in the object's metadata, only if the object has not changed since it was read; an
   * empty list removes the field, as Kubernetes leaves an empty one out.
   */
  static void metadataList(LoopbackClient api, String group, String resource, JsonNode object, String field,
      ArrayNode value) {
    ObjectNode patch = JSON.createObjectNode();
    ObjectNode metadata = patch.putObject("metadata");
    if (value.isEmpty()) {
      metadata.putNull(field);
    } else {
      metadata.set(field, value);
    }
    metadata.put("resourceVersion", object.path("metadata").path("resourceVersion").asString(""));
    api.mergePatch(group, "v1", resource, null, object.path("metadata").path("namespace").asString(""),
        object.path("metadata").path("name").asString(""), patch);
  }

  /** Writes {@code status} to the object's status subresource when any of its fields differs from the object's. */
  static void status(LoopbackClient api, String group, String resource, JsonNode object, ObjectNode status) {
    JsonNode current = object.path("status");
    boolean changed = false;
    for (var field : status.properties()) {
      if (!current.path(field.getKey()).equals(field.getValue())) changed = true;
    }
    if (!changed) return;
    ObjectNode patch = JSON.createObjectNode();
    patch.set("status", status);
    api.mergePatch(group, "v1", resource, "status", object.path("metadata").path("namespace").asString(""),
        object.path("metadata").path("name").asString(""), patch);
  }

  /** Deletes the object; one already gone is what was wanted. */
  static void deleteIfThere(LoopbackClient api, String group, String resource, JsonNode object, String propagation) {
    try {
      api.delete(group, "v1", resource, object.path("metadata").path("namespace").asString(""),
          object.path("metadata").path("name").asString(""), propagation);
    } catch (StatusError gone) {
      if (gone.code() != 404) throw gone;
    }
  }
}
